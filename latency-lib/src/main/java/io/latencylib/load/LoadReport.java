package io.latencylib.load;

import io.latencylib.LatencyReport;
import io.latencylib.StageStats;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * What a {@link LoadRun} measured: the latency report of the measured part (warm-up excluded), one
 * report per schedule phase (per step), the achieved rates, lateness, and the backlog over time.
 * Immutable.
 */
public final class LoadReport {

    /** Messages a sender may be behind schedule before they count as late: 1 ms. */
    public static final Duration LATE_THRESHOLD = Duration.ofMillis(1);

    /**
     * One phase of the schedule (one step): its rate, the rate achieved (messages actually sent while it
     * ran, over its duration), and the latency of the messages completed while it ran.
     */
    public record Phase(Schedule schedule, double targetRate, double achievedRate, LatencyReport report) {
    }

    /** Sent and received counts at one instant of the run; backlog = sent − received. */
    public record BacklogSample(Duration elapsed, long sent, long received) {
        public long backlog() {
            return sent - received;
        }
    }

    private final Schedule schedule;
    private final LatencyReport report;
    private final List<Phase> phases;
    private final long sent;
    private final Duration sendingTime;
    private final List<BacklogSample> backlog;
    private final boolean drained;
    private final String aborted;
    private final Duration warmUp;

    LoadReport(Schedule schedule, LatencyReport report, List<Phase> phases, long sent, Duration sendingTime,
               List<BacklogSample> backlog, boolean drained, String aborted, Duration warmUp) {
        this.aborted = aborted;
        this.warmUp = warmUp;
        this.schedule = schedule;
        this.report = report;
        this.phases = List.copyOf(phases);
        this.sent = sent;
        this.sendingTime = sendingTime;
        this.backlog = List.copyOf(backlog);
        this.drained = drained;
    }

    public Schedule schedule() {
        return schedule;
    }

    /** @return the latency of the measured part of the run (after warm-up) */
    public LatencyReport report() {
        return report;
    }

    /** @return one entry per schedule phase (step), in order */
    public List<Phase> phases() {
        return phases;
    }

    /** @return the schedule's average rate, messages per second */
    public double targetRate() {
        return schedule.averageRate();
    }

    /**
     * @return messages sent per second: the messages sent over the time the schedule lasted, or over the
     *     time sending actually took when the senders fell behind
     */
    public double achievedRate() {
        double seconds = Math.max(sendingTime.toNanos(), schedule.duration().toNanos()) / 1e9;
        return sent / seconds;
    }

    /** @return messages sent in the measured part */
    public long sent() {
        return sent;
    }

    /** @return true when every message sent was received before the run ended */
    public boolean drained() {
        return drained;
    }

    /**
     * @return why the run stopped before its schedule ended ({@link LoadRun.Builder#abortWhenBehind}),
     *     or empty when it ran to the end
     */
    public Optional<String> aborted() {
        return Optional.ofNullable(aborted);
    }

    /** @return latency measured from the intended send instant: what SLOs on paced runs use */
    public StageStats endToEndCorrected() {
        return report.endToEndFromIntended().orElse(report.endToEnd());
    }

    /** @return latency measured from the actual send instant (hides a stalled sender) */
    public StageStats endToEndUncorrected() {
        return report.endToEnd();
    }

    /** @return how many messages were sent more than {@link #LATE_THRESHOLD} after their intended instant */
    public long lateMessages() {
        return report.lateness().map(l -> {
            Histogram h = l.histogram();
            return h.getTotalCount() - h.getCountBetweenValues(0, LATE_THRESHOLD.toNanos() / 1000);
        }).orElse(0L);
    }

    /** @return the distribution of lateness (actual − intended send instant) */
    public Optional<StageStats> lateness() {
        return report.lateness();
    }

    /** @return sent and received counts sampled through the run */
    public List<BacklogSample> backlog() {
        return backlog;
    }

    /**
     * The rate the senders held: the median of the send rates of the sampling intervals (about one a
     * second) while the schedule ran. A sender that stalls once and then catches up moves
     * {@link #achievedRate()} (when the stall comes at the end) but not this; a sender that cannot keep
     * up is below the target in most intervals, so this is too. Meant for constant schedules; with
     * fewer than three intervals it is {@link #achievedRate()}.
     *
     * @return messages per second
     */
    public double medianSendRate() {
        long from = warmUp.toNanos();
        long to = from + schedule.duration().toNanos();
        double[] rates = new double[backlog.size()];
        int n = 0;
        for (int i = 1; i < backlog.size(); i++) {
            BacklogSample a = backlog.get(i - 1);
            BacklogSample b = backlog.get(i);
            long start = a.elapsed().toNanos();
            long end = b.elapsed().toNanos();
            if (start >= from && end <= to && end > start) {
                rates[n++] = (b.sent() - a.sent()) / ((end - start) / 1e9);
            }
        }
        return n < 3 ? achievedRate() : median(rates, n);
    }

    /**
     * @return how fast the backlog grew over the second half of the run, messages per second: the
     *     median of the slopes between its samples (Theil–Sen), which one spike does not move; near zero
     *     when the consumers keep up
     */
    public double backlogGrowthPerSecond() {
        List<BacklogSample> tail = backlog.subList(backlog.size() / 2, backlog.size());
        int step = Math.max(1, tail.size() / 200);   // at most 200 samples: 20,000 slopes
        int m = (tail.size() + step - 1) / step;
        if (m < 2) {
            return 0;
        }
        double[] slopes = new double[m * (m - 1) / 2];
        int n = 0;
        for (int i = 0; i < tail.size(); i += step) {
            for (int j = i + step; j < tail.size(); j += step) {
                BacklogSample a = tail.get(i);
                BacklogSample b = tail.get(j);
                double dt = (b.elapsed().toNanos() - a.elapsed().toNanos()) / 1e9;
                if (dt > 0) {
                    slopes[n++] = (b.backlog() - a.backlog()) / dt;
                }
            }
        }
        return n == 0 ? 0 : median(slopes, n);
    }

    private static double median(double[] values, int n) {
        double[] v = java.util.Arrays.copyOf(values, n);
        java.util.Arrays.sort(v);
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** @return the run as plain text: rates, lateness, backlog, then the latency table */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        out.append("schedule: ").append(schedule).append('\n');
        if (aborted != null) {
            out.append("ABORTED: ").append(aborted).append('\n');
        }
        out.append(String.format(Locale.ROOT, "target %.1f msg/s, achieved %.1f msg/s (%d sent; median of intervals %.1f"
                        + " msg/s), backlog growth %.1f msg/s%s%n", targetRate(), achievedRate(), sent, medianSendRate(),
                backlogGrowthPerSecond(), drained ? "" : ", NOT DRAINED"));
        lateness().ifPresent(l -> out.append(String.format(Locale.ROOT,
                "late by more than %d ms: %d messages; lateness p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                LATE_THRESHOLD.toMillis(), lateMessages(), ms(l.p50()), ms(l.p99()), ms(l.max()))));
        out.append(String.format(Locale.ROOT, "end-to-end p99: %.3f ms from the intended send (corrected), %.3f ms from the actual send%n",
                ms(endToEndCorrected().p99()), ms(endToEndUncorrected().p99())));
        if (phases.size() > 1) {
            for (Phase p : phases) {
                LatencyReport r = p.report();
                out.append(String.format(Locale.ROOT, "  step %-40s achieved %10.1f msg/s, end-to-end p50 %8.3f ms, p99 %8.3f ms (corrected p99 %8.3f ms)%n",
                        p.schedule(), p.achievedRate(), ms(r.endToEnd().p50()), ms(r.endToEnd().p99()),
                        ms(r.endToEndFromIntended().orElse(r.endToEnd()).p99())));
            }
        }
        out.append(report.toTable());
        return out.toString();
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    @Override
    public String toString() {
        return toTable();
    }
}
