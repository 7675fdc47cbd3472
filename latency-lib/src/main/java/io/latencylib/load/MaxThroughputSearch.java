package io.latencylib.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the highest rate a system sustains, and shows the evidence. A rate is <em>sustained</em> by a
 * probe (a {@link LoadRun} at that constant rate on a fresh destination) when the senders held it
 * (within {@link Builder#rateTolerance}, default 1%), the backlog (sent − received) did not grow
 * (Theil–Sen slope within {@link Builder#backlogTolerance} of the rate per second), everything sent was
 * received before the drain timeout, and (optionally) an SLO held. The answer is always a rate that
 * passed every one of its final probes.
 *
 * <p>The decision rule, in three phases (every probe is listed in the {@link Result}, with its phase):
 * <ol>
 * <li><b>Coarse</b> ({@link Probe.Phase#COARSE}): short probes ({@link Builder#probeDuration}) double the
 *     rate from {@link Builder#startRate} until one fails (or halve it until one passes), then bisect
 *     (geometric midpoints) until the bounds are within {@link Builder#precision} (default 5%). Each rate is
 *     probed until a majority of {@link Builder#probesPerRate} probes agree (default 3: two or three
 *     probes). A short probe is judged on the rate the senders held ({@link LoadReport#medianSendRate()})
 *     and the backlog slope over its second half, and stops at once when the senders or the consumers
 *     fall {@link Builder#stopWhenBehind} behind (default 2 s): far above the limit that saves time and
 *     leaves no backlog to slow the next probe. Near the limit such an early stop is often a start-up
 *     transient (a fresh topic, a consumer that joins late and then catches up), not a verdict, so the
 *     coarse answer only says where to look.</li>
 * <li><b>Near the answer</b> ({@link Probe.Phase#LONG}): one long probe per rate
 *     ({@link Builder#longProbeDuration}, default twice the short probe), stopped early only when it is
 *     clearly hopeless (default 5 s behind), and judged on its <em>steady part</em>, the last two thirds of
 *     its schedule: the rate the senders held there (messages sent in that window over its length, so a
 *     start-up stall that is caught up does not count and a lag that keeps growing does), the backlog's
 *     Theil–Sen slope there, and the drain. Starting from the coarse answer the rate climbs (or descends)
 *     in steps of {@link Builder#precision} until the verdict changes, then bisects to
 *     {@link Builder#finePrecision} (default 2%).</li>
 * <li><b>Confirmation</b> ({@link Probe.Phase#CONFIRM}): the highest rate that passed must pass
 *     {@link Builder#confirmations} (default 3) further long probes, every one of them; at the first failure
 *     the candidate steps down by {@link Builder#finePrecision} and is confirmed afresh. A lucky pass
 *     cannot become the answer; an unlucky failure lowers it by one small step.</li>
 * </ol>
 * The answer is 0 when not even 10 msg/s could be held. The result lists every probe and
 * the confirming ones ({@link Result#evidence()}).
 */
public final class MaxThroughputSearch {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.load");

    /** One probe: a rate, what was achieved, and the verdict. */
    public record Probe(Phase phase, double targetRate, double achievedRate, double heldRate,
                        double backlogGrowthPerSecond, Duration p99, boolean passed, String reason) {

        /** Which part of the search made the probe. */
        public enum Phase {
            /** a short probe of the doubling and bisection */
            COARSE,
            /** a long probe near the answer, judged on its steady part */
            LONG,
            /** a long probe confirming the answer (all must pass) */
            CONFIRM
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-7s %10.0f msg/s -> held %10.1f msg/s (overall %10.1f), backlog"
                            + " growth %8.1f msg/s, p99 %9.3f ms: %s", phase, targetRate, heldRate, achievedRate,
                    backlogGrowthPerSecond, p99.toNanos() / 1e6, passed ? "pass" : "FAIL (" + reason + ")");
        }
    }

    /** The answer and how it was found. */
    public record Result(double maxRate, List<Probe> probes) {
        public Result {
            probes = List.copyOf(probes);
        }

        /** @return the confirmation probes at {@link #maxRate()}, all passed (empty when the answer is 0) */
        public List<Probe> evidence() {
            return probes.stream().filter(p -> p.phase() == Probe.Phase.CONFIRM && p.targetRate() == maxRate).toList();
        }

        public String toTable() {
            List<Probe> evidence = evidence();
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "max sustainable throughput: %.0f msg/s (%d probes; confirmed by %d of %d long probes at that rate,"
                            + " held %s msg/s)%n", maxRate, probes.size(),
                    evidence.stream().filter(Probe::passed).count(), evidence.size(),
                    evidence.stream().map(p -> String.format(Locale.ROOT, "%.0f", p.heldRate())).toList()));
            probes.forEach(p -> out.append("  ").append(p).append('\n'));
            return out.toString();
        }
    }

    private final Builder b;
    private final Duration longProbe;
    private final List<Probe> probes = new ArrayList<>();

    private MaxThroughputSearch(Builder b) {
        this.b = b;
        this.longProbe = b.longProbeDuration != null ? b.longProbeDuration : b.probeDuration.multipliedBy(2);
    }

    public static Builder builder(LoadDriver driver) {
        return new Builder(driver);
    }

    /** Runs the probes and returns the highest rate confirmed (0 when even the lowest failed). */
    public Result run() {
        probes.clear();
        // 1. coarse: short probes, majority per rate
        double lo;
        double hi;
        if (sustains(b.startRate)) {
            lo = b.startRate;
            hi = Double.NaN;
            while (lo < b.maxRate) {             // double until a rate fails
                double next = Math.min(b.maxRate, lo * 2);
                if (!sustains(next)) {
                    hi = next;
                    break;
                }
                lo = next;
            }
        } else {
            hi = b.startRate;
            while (true) {                       // halve until a rate passes
                double next = hi / 2;
                if (next < b.minRate) {
                    return new Result(0, probes);
                }
                if (sustains(next)) {
                    lo = next;
                    break;
                }
                hi = next;
            }
        }
        while (!Double.isNaN(hi) && hi / lo > 1 + b.precision) {
            double mid = Math.sqrt(lo * hi);
            if (sustains(mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        // 2. near the answer: one long probe per rate, judged on its steady part
        double step = 1 + b.precision;
        double up = Double.isNaN(hi) ? Math.min(b.maxRate, lo * step) : hi;
        if (longProbe(lo, Probe.Phase.LONG).passed()) {
            hi = Double.NaN;
            while (up > lo) {                     // climb until a rate fails (or the ceiling passes)
                if (!longProbe(up, Probe.Phase.LONG).passed()) {
                    hi = up;
                    break;
                }
                lo = up;
                up = Math.min(b.maxRate, up * step);
            }
        } else {
            hi = lo;
            while (true) {                       // descend until a rate passes
                double next = hi / step;
                if (next < b.minRate) {
                    return new Result(0, probes);
                }
                if (longProbe(next, Probe.Phase.LONG).passed()) {
                    lo = next;
                    break;
                }
                hi = next;
            }
        }
        while (!Double.isNaN(hi) && hi / lo > 1 + b.finePrecision) {
            double mid = Math.sqrt(lo * hi);
            if (longProbe(mid, Probe.Phase.LONG).passed()) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        // 3. confirmation: k of k long probes, else one small step down
        for (double candidate = lo; candidate >= b.minRate; candidate /= 1 + b.finePrecision) {
            boolean all = true;
            for (int i = 0; i < b.confirmations && all; i++) {
                all = longProbe(candidate, Probe.Phase.CONFIRM).passed();
            }
            if (all) {
                return new Result(candidate, probes);
            }
        }
        return new Result(0, probes);
    }

    /** Probes {@code rate} with short probes until a majority of {@link Builder#probesPerRate} probes agree. */
    private boolean sustains(double rate) {
        int majority = b.probesPerRate / 2 + 1;
        int passed = 0;
        int failed = 0;
        while (passed < majority && failed < majority) {
            if (shortProbe(rate).passed()) {
                passed++;
            } else {
                failed++;
            }
        }
        return passed >= majority;
    }

    /** Short probes sample the backlog every 500 ms (as always); long ones at least 24 times a probe. */
    private LoadReport runProbe(double rate, Duration duration, Duration stopBehind, Duration sampleEvery) {
        LoadRun.Builder run = LoadRun.builder(b.driver)
                .destination(b.destinationPrefix + "-" + probes.size() + "-" + Math.round(rate))
                .schedule(Schedule.constant(rate, duration))
                .warmUp(b.warmUp)
                .drainTimeout(b.drainTimeout)
                .abortWhenBehind(stopBehind)
                .progressEvery(sampleEvery)
                .progressListener(p -> { });
        b.configure.accept(run);
        return run.run();
    }

    private Probe shortProbe(double rate) {
        LoadReport report = runProbe(rate, b.probeDuration, b.stopShort, Duration.ofMillis(500));
        double held = report.medianSendRate();
        double growth = report.backlogGrowthPerSecond();
        return record(Probe.Phase.COARSE, rate, report, held, growth);
    }

    private Probe longProbe(double rate, Probe.Phase phase) {
        LoadReport report = runProbe(rate, longProbe, b.stopLong,
                Duration.ofNanos(Math.max(1_000_000L, Math.min(500_000_000L, longProbe.toNanos() / 24))));
        long from = b.warmUp.toNanos() + longProbe.toNanos() / 3;
        long to = b.warmUp.toNanos() + longProbe.toNanos();
        return record(phase, rate, report, steadyRate(report.backlog(), from, to), steadyGrowth(report.backlog(), from, to));
    }

    private Probe record(Probe.Phase phase, double rate, LoadReport report, double held, double growth) {
        String reason = null;
        if (report.aborted().isPresent()) {
            reason = "stopped early: " + report.aborted().get();
        } else if (!(held >= rate * (1 - b.rateTolerance))) {
            reason = String.format(Locale.ROOT, "held %.1f%% of the target", 100 * held / rate);
        } else if (growth > rate * b.backlogTolerance) {
            reason = String.format(Locale.ROOT, "backlog grew %.0f msg/s", growth);
        } else if (!report.drained()) {
            reason = "consumers did not drain within " + b.drainTimeout.toMillis() + " ms";
        } else if (b.slo != null && !b.slo.test(report)) {
            reason = b.sloText + " violated";
        }
        Probe probe = new Probe(phase, rate, report.achievedRate(), held, growth, report.endToEndCorrected().p99(),
                reason == null, reason);
        probes.add(probe);
        log.info("latency-lib max-throughput probe {}", probe);
        return probe;
    }

    /**
     * The rate the senders held inside {@code [from, to]} (nanoseconds since the run's start, warm-up
     * included): messages sent between the first and the last sample in the window over the time between
     * them. A sender that lags by a constant amount holds the rate; one whose lag grows does not.
     */
    static double steadyRate(List<LoadReport.BacklogSample> samples, long from, long to) {
        LoadReport.BacklogSample first = null;
        LoadReport.BacklogSample last = null;
        for (LoadReport.BacklogSample s : samples) {
            long t = s.elapsed().toNanos();
            if (t >= from && t <= to) {
                if (first == null) {
                    first = s;
                }
                last = s;
            }
        }
        if (first == null || last.elapsed().toNanos() - first.elapsed().toNanos() < (to - from) / 2) {
            return 0;   // too few samples to judge: not held
        }
        return (last.sent() - first.sent()) / ((last.elapsed().toNanos() - first.elapsed().toNanos()) / 1e9);
    }

    /** The Theil–Sen slope of the backlog inside {@code [from, to]}, messages per second (0 with fewer than 2 samples). */
    static double steadyGrowth(List<LoadReport.BacklogSample> samples, long from, long to) {
        List<LoadReport.BacklogSample> in = samples.stream()
                .filter(s -> s.elapsed().toNanos() >= from && s.elapsed().toNanos() <= to).toList();
        double[] slopes = new double[in.size() * (in.size() - 1) / 2];
        int n = 0;
        for (int i = 0; i < in.size(); i++) {
            for (int j = i + 1; j < in.size(); j++) {
                double dt = (in.get(j).elapsed().toNanos() - in.get(i).elapsed().toNanos()) / 1e9;
                if (dt > 0) {
                    slopes[n++] = (in.get(j).backlog() - in.get(i).backlog()) / dt;
                }
            }
        }
        if (n == 0) {
            return 0;
        }
        double[] v = java.util.Arrays.copyOf(slopes, n);
        java.util.Arrays.sort(v);
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Settings of a {@link MaxThroughputSearch}. */
    public static final class Builder {
        private final LoadDriver driver;
        private Consumer<LoadRun.Builder> configure = r -> { };
        private String destinationPrefix = "latency-max";
        private double startRate = 1_000;
        private double minRate = 10;
        private double maxRate = 10_000_000;
        private double precision = 0.05;
        private double rateTolerance = 0.01;
        private double backlogTolerance = 0.02;
        private Duration probeDuration = Duration.ofSeconds(10);
        private Duration warmUp = Duration.ofSeconds(2);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private int probesPerRate = 3;
        private Duration longProbeDuration;
        private double finePrecision = 0.02;
        private int confirmations = 3;
        private Duration stopShort = Duration.ofSeconds(2);
        private Duration stopLong = Duration.ofSeconds(5);
        private Predicate<LoadReport> slo;
        private String sloText;

        private Builder(LoadDriver driver) {
            this.driver = Objects.requireNonNull(driver, "driver");
        }

        /** Sets what every probe shares (message size, keys, producers, consumers...). */
        public Builder configure(Consumer<LoadRun.Builder> configure) {
            this.configure = Objects.requireNonNull(configure, "configure");
            return this;
        }

        /** Each probe sends to a fresh destination named from this prefix. Default {@code latency-max}. */
        public Builder destinationPrefix(String prefix) {
            this.destinationPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** First rate probed. Default 1,000 msg/s. */
        public Builder startRate(double perSecond) {
            this.startRate = positive(perSecond, "startRate");
            return this;
        }

        /** Highest rate probed. Default 10,000,000 msg/s. */
        public Builder maxRate(double perSecond) {
            this.maxRate = positive(perSecond, "maxRate");
            return this;
        }

        /** Stop when the bounds are within this fraction (default 0.05 = 5%). */
        public Builder precision(double fraction) {
            this.precision = positive(fraction, "precision");
            return this;
        }

        /** How far below the target the held rate ({@link LoadReport#medianSendRate()}) may fall (default 0.01 = 1%). */
        public Builder rateTolerance(double fraction) {
            this.rateTolerance = positive(fraction, "rateTolerance");
            return this;
        }

        /** How fast the backlog may grow, as a fraction of the rate per second (default 0.02). */
        public Builder backlogTolerance(double fraction) {
            this.backlogTolerance = positive(fraction, "backlogTolerance");
            return this;
        }

        /**
         * Measured time of each short (coarse) probe (default 10 s), after its warm-up (default 2 s, also
         * the warm-up of the long probes).
         */
        public Builder probeDuration(Duration probe, Duration warmUp) {
            this.probeDuration = Objects.requireNonNull(probe, "probe");
            this.warmUp = Objects.requireNonNull(warmUp, "warmUp");
            return this;
        }

        /**
         * Measured time of each long probe near the answer and of the confirmation probes (default twice
         * the short probe's), judged on its last two thirds.
         */
        public Builder longProbeDuration(Duration probe) {
            this.longProbeDuration = Objects.requireNonNull(probe, "probe");
            return this;
        }

        /** Precision of the long probes' bisection and step of the confirmation's step down (default 0.02 = 2%). */
        public Builder finePrecision(double fraction) {
            this.finePrecision = positive(fraction, "finePrecision");
            return this;
        }

        /** How many further long probes at the answer must all pass (default 3). */
        public Builder confirmations(int probes) {
            if (probes < 1) {
                throw new IllegalArgumentException("confirmations must be positive: " + probes);
            }
            this.confirmations = probes;
            return this;
        }

        /**
         * How far behind (senders behind the schedule, or consumers that many seconds' worth of messages
         * behind the producers) a short probe and a long probe stop at once, failed (defaults 2 s and 5 s;
         * {@link LoadRun.Builder#abortWhenBehind} in {@link #configure} overrides both). Keep the long one
         * below a third of {@link #longProbeDuration}: a sender further behind than that is still sending
         * warm-up messages when the steady part begins.
         */
        public Builder stopWhenBehind(Duration shortProbes, Duration longProbes) {
            this.stopShort = Objects.requireNonNull(shortProbes, "shortProbes");
            this.stopLong = Objects.requireNonNull(longProbes, "longProbes");
            return this;
        }

        /** How long a probe waits for its consumers to drain (default 10 s). */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How many short probes may judge one rate of the coarse phase: it passes when more than half of
         * them pass, and probing stops as soon as one side has that majority (default 3: two or three probes
         * a rate). An odd number; 1 lets every short probe decide alone (the long probes and the
         * confirmation still correct a coarse answer that is off, at the cost of more long probes).
         */
        public Builder probesPerRate(int probes) {
            if (probes < 1 || probes % 2 == 0) {
                throw new IllegalArgumentException("probesPerRate must be odd and positive (1, 3, 5...): " + probes);
            }
            this.probesPerRate = probes;
            return this;
        }

        /** An objective every passing probe must also meet, e.g. {@code r -> r.endToEndCorrected().p99().toMillis() < 50}. */
        public Builder slo(String description, Predicate<LoadReport> slo) {
            this.sloText = Objects.requireNonNull(description, "description");
            this.slo = Objects.requireNonNull(slo, "slo");
            return this;
        }

        public MaxThroughputSearch build() {
            return new MaxThroughputSearch(this);
        }

        public Result run() {
            return build().run();
        }

        private static double positive(double v, String what) {
            if (!(v > 0)) {
                throw new IllegalArgumentException(what + " must be positive: " + v);
            }
            return v;
        }
    }
}
