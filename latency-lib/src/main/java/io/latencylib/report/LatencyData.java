package io.latencylib.report;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The data of one {@link LatencyReport} (the whole run, one step or one interval), detached from the
 * recorder: what the JSON file holds and what is read back from it. Immutable; equal when the data is.
 *
 * @param start                the start of the measured interval
 * @param end                  its end
 * @param stages               the stages in order, possibly merged (e.g. {@code publish+commit})
 * @param endToEnd             end-to-end latency, from the send instant
 * @param endToEndFromIntended end-to-end latency from the intended send instant (paced traffic)
 * @param producerLatency      send → acknowledgement
 * @param lateness             actual − intended send instant (paced traffic)
 * @param counts               message counts
 * @param clamps               one entry per stage, in stage order
 * @param clockOffsetBounds    bounds on (broker clock − client clock), when known
 * @param notes                what the reader should know
 */
public record LatencyData(Instant start, Instant end, List<Distribution> stages, Distribution endToEnd,
                          Optional<Distribution> endToEndFromIntended, Optional<Distribution> producerLatency,
                          Optional<Distribution> lateness, LatencyReport.Counts counts, List<Clamp> clamps,
                          Optional<LatencyReport.ClockOffsetBounds> clockOffsetBounds, List<String> notes) {

    /**
     * Clamps of the boundary that ends one stage.
     *
     * @param stage   the stage whose end was moved
     * @param count   how many times it was moved beyond its resolution
     * @param largest the largest move, when known
     */
    public record Clamp(Stage stage, long count, Optional<Duration> largest) {
        public Clamp {
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(largest, "largest");
        }
    }

    public LatencyData {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        stages = List.copyOf(stages);
        Objects.requireNonNull(endToEnd, "endToEnd");
        Objects.requireNonNull(endToEndFromIntended, "endToEndFromIntended");
        Objects.requireNonNull(producerLatency, "producerLatency");
        Objects.requireNonNull(lateness, "lateness");
        Objects.requireNonNull(counts, "counts");
        clamps = List.copyOf(clamps);
        Objects.requireNonNull(clockOffsetBounds, "clockOffsetBounds");
        notes = List.copyOf(notes);
    }

    /** @return the data of {@code report} */
    public static LatencyData of(LatencyReport report) {
        List<Distribution> stages = report.stages().stream().map(Distribution::of).toList();
        List<Clamp> clamps = new ArrayList<>();
        for (Stage s : Stage.values()) {
            clamps.add(new Clamp(s, report.clamps(s), report.largestClamp(s)));
        }
        return new LatencyData(report.start(), report.end(), stages, Distribution.of(report.endToEnd()),
                report.endToEndFromIntended().map(Distribution::of), report.producerLatency().map(Distribution::of),
                report.lateness().map(Distribution::of), report.counts(), clamps, report.clockOffsetBounds(),
                report.notes());
    }

    public Duration duration() {
        return Duration.between(start, end);
    }

    /** @return the distribution of exactly {@code stage}, or empty when it was only observed merged */
    public Optional<Distribution> stage(Stage stage) {
        return stages.stream().filter(s -> s.stages().equals(List.of(stage))).findFirst();
    }

    /** @return end-to-end from the intended send instant when the traffic was paced, else from the send */
    public Distribution endToEndCorrected() {
        return endToEndFromIntended.orElse(endToEnd);
    }

    /**
     * @return every distribution with the name it has in tables, charts, comparisons and histogram
     *     logs: the stages, then {@code end-to-end}, {@code end-to-end from intended},
     *     {@code producer (send->ack)}, {@code lateness} (those present)
     */
    public List<Distribution> all() {
        List<Distribution> all = new ArrayList<>(stages);
        all.add(endToEnd);
        endToEndFromIntended.ifPresent(all::add);
        producerLatency.ifPresent(all::add);
        lateness.ifPresent(all::add);
        return all;
    }

    /** @return the clamps of the end of {@code stage} */
    public Clamp clamp(Stage stage) {
        return clamps.stream().filter(c -> c.stage() == stage).findFirst()
                .orElse(new Clamp(stage, 0, Optional.empty()));
    }

    /** @return messages sent per second over the duration */
    public double sentPerSecond() {
        return perSecond(counts.sent());
    }

    /** @return stamped messages received per second over the duration */
    public double receivedPerSecond() {
        return perSecond(counts.received());
    }

    private double perSecond(long n) {
        long micros = duration().toNanos() / 1000;
        return micros <= 0 ? 0 : n * 1_000_000.0 / micros;
    }

    /** @return the plain-text table of {@link LatencyReport#toTable()}, in milliseconds */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        LatencyReport.Counts c = counts;
        out.append(String.format(Locale.ROOT, "%d sent, %d received (%d joined) in %.1f s: %.0f msg/s sent, %.0f msg/s received%n",
                c.sent(), c.received(), c.joined(), duration().toMillis() / 1000.0, sentPerSecond(), receivedPerSecond()));
        out.append(c.outcomeLine()).append('\n');
        out.append(String.format(Locale.ROOT, "%-28s %8s %9s %9s %9s %9s %9s %9s %9s %9s%n",
                "latency (ms)", "count", "min", "p50", "p90", "p99", "p99.9", "p99.99", "max", "mean"));
        for (Distribution s : stages) {
            row(out, s.name(), s);
        }
        row(out, "end-to-end", endToEnd);
        endToEndFromIntended.ifPresent(d -> row(out, "end-to-end from intended", d));
        producerLatency.ifPresent(d -> row(out, "producer (send->ack)", d));
        lateness.ifPresent(d -> row(out, "lateness (actual-intended)", d));
        List<String> clampText = new ArrayList<>();
        for (Clamp clamp : clamps) {
            if (clamp.count() > 0) {
                clampText.add(String.format(Locale.ROOT, "end of %s %d%s", clamp.stage().label(), clamp.count(),
                        clamp.largest().map(d -> String.format(Locale.ROOT, " (largest %.3f ms)", ms(d))).orElse("")));
            }
        }
        out.append("clamps: ").append(clampText.isEmpty() ? "none" : String.join(", ", clampText)).append('\n');
        clockOffsetBounds.ifPresent(b -> out.append(String.format(Locale.ROOT,
                "clock offset broker-client: between %.3f ms and %.3f ms%n", b.lowerMicros() / 1000.0, b.upperMicros() / 1000.0)));
        for (String note : notes) {
            out.append("note: ").append(note).append('\n');
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String name, Distribution s) {
        if (s.count() == 0) {
            out.append(String.format(Locale.ROOT, "%-28s %8d%n", name, 0));
            return;
        }
        out.append(String.format(Locale.ROOT, "%-28s %8d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f%n", name,
                s.count(), ms(s.min()), ms(s.p50()), ms(s.p90()), ms(s.p99()), ms(s.p999()), ms(s.p9999()),
                ms(s.max()), ms(s.mean())));
    }

    static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }
}
