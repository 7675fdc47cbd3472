package io.latencylib;

import io.latencylib.internal.ReportAccess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * An immutable snapshot of what a {@link LatencyRecorder} measured: end-to-end latency, its split
 * into the five stages (or the merged stages where a boundary was not observed), producer latency,
 * counts, clamps and the clock-offset bounds the data implies. {@link #toTable()} renders it for a
 * terminal. The same class holds a report read back from a file
 * ({@code io.latencylib.report.LatencyReports#readJson}), which needs no recorder.
 *
 * <p>Equal to another report holding the same data: instants, distributions (histograms compared by
 * content), counts, clamps, clock-offset bounds, notes and systems.
 */
public final class LatencyReport {

    static {
        ReportAccess.register(new ReportAccess.Factory() {
            @Override
            public LatencyReport report(Instant start, Instant end, StageStats endToEnd, StageStats endToEndFromIntended,
                                        StageStats producerLatency, StageStats lateness, List<StageStats> stages,
                                        Counts counts, Map<Stage, Long> clamps, Map<Stage, Duration> largestClamps,
                                        ClockOffsetBounds clockOffsetBounds, List<String> notes, Set<String> systems) {
                return new LatencyReport(start, end, endToEnd, endToEndFromIntended, producerLatency, lateness, stages,
                        counts, clamps, largestClamps, clockOffsetBounds, notes, systems);
            }

            @Override
            public StageStats stats(String name, List<Stage> stages, Histogram histogram) {
                return new StageStats(Objects.requireNonNull(name, "name"), stages,
                        Objects.requireNonNull(histogram, "histogram"));
            }
        });
    }

    /** Bounds on (broker clock − client clock) implied by the broker timestamps, in microseconds. */
    public record ClockOffsetBounds(long lowerMicros, long upperMicros) {
    }

    /**
     * Counts of messages, as seen by the wrapped clients of this process.
     *
     * @param sent         messages wrapped producers sent
     * @param acked        acknowledgements (confirms) received for them
     * @param sendErrors   sends that failed (counted once per message)
     * @param received     stamped messages wrapped consumers received (first deliveries and duplicates alike)
     * @param joined       messages whose producer and consumer halves were joined (all five stages split)
     * @param unjoined     messages recorded from the consumer half alone (remote producer, or its half gone)
     * @param lost         acknowledged messages never received within the eviction time
     * @param duplicated   deliveries of a message seen before (redeliveries), recorded once only
     * @param reordered    messages that arrived after a later message of the same producer and partition
     * @param unstamped    messages without a valid stamp (foreign, truncated, garbage)
     * @param evicted      halves given up after the eviction time or overwritten when the join table overflowed
     * @param inFlight     messages sent and neither received nor given up yet (a level, not a counter)
     * @param redelivered  deliveries the broker flagged as redelivered
     * @param implausible  stamp-shaped values whose send instant lies outside the plausible window (older than
     *                     the eviction time, or further in the future than the clock offset allows): recorded nowhere
     * @param aborted      messages of aborted transactions: never committed, so never lost
     * @param returned     messages the broker returned as unroutable (AMQP mandatory): never lost
     * @param untracked    messages of remote producers the bounded tracking memory had no room for: recorded,
     *                     but their duplicates cannot be told
     * @param approximated splits whose catch-up reached back beyond the consumer's busy-time checkpoints
     */
    public record Counts(long sent, long acked, long sendErrors, long received, long joined, long unjoined,
                         long lost, long duplicated, long reordered, long unstamped, long evicted, long inFlight,
                         long redelivered, long implausible, long aborted, long returned, long untracked,
                         long approximated) {

        /** @return these counts less {@code base} (an earlier snapshot); in-flight stays this one's level */
        public Counts minus(Counts base) {
            return new Counts(sent - base.sent, acked - base.acked, sendErrors - base.sendErrors,
                    received - base.received, joined - base.joined, unjoined - base.unjoined, lost - base.lost,
                    duplicated - base.duplicated, reordered - base.reordered, unstamped - base.unstamped,
                    evicted - base.evicted, inFlight, redelivered - base.redelivered, implausible - base.implausible,
                    aborted - base.aborted, returned - base.returned, untracked - base.untracked,
                    approximated - base.approximated);
        }

        /** @return one line of what became of the messages: lost, duplicated, ... and the usually-zero counts that are not */
        public String outcomeLine() {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "lost %d, duplicated %d, reordered %d,"
                    + " unstamped %d, evicted %d, send errors %d, in flight %d", lost, duplicated, reordered, unstamped,
                    evicted, sendErrors, inFlight));
            long[] values = {redelivered, aborted, returned, implausible, untracked, approximated};
            String[] names = {"redelivered", "aborted", "returned", "implausible", "untracked", "approximated"};
            for (int i = 0; i < values.length; i++) {
                if (values[i] != 0) {
                    out.append(", ").append(names[i]).append(' ').append(values[i]);
                }
            }
            return out.toString();
        }
    }

    private final Instant start;
    private final Instant end;
    private final StageStats endToEnd;
    private final StageStats endToEndFromIntended;
    private final StageStats producerLatency;
    private final StageStats lateness;
    private final List<StageStats> stages;
    private final Counts counts;
    private final Map<Stage, Long> clamps;
    private final Map<Stage, Duration> largestClamps;
    private final ClockOffsetBounds clockOffsetBounds;
    private final List<String> notes;
    private final Set<String> systems;

    /**
     * Clamp counts of zero are left out, and so are the largest moves of stages without clamps (never
     * shown), so that equal data makes equal reports.
     */
    LatencyReport(Instant start, Instant end, StageStats endToEnd, StageStats endToEndFromIntended,
                  StageStats producerLatency, StageStats lateness, List<StageStats> stages, Counts counts,
                  Map<Stage, Long> clamps, Map<Stage, Duration> largestClamps, ClockOffsetBounds clockOffsetBounds,
                  List<String> notes, Set<String> systems) {
        this.start = Objects.requireNonNull(start, "start");
        this.end = Objects.requireNonNull(end, "end");
        this.endToEnd = Objects.requireNonNull(endToEnd, "endToEnd");
        this.endToEndFromIntended = endToEndFromIntended;
        this.producerLatency = producerLatency;
        this.lateness = lateness;
        this.stages = List.copyOf(stages);
        this.counts = Objects.requireNonNull(counts, "counts");
        Map<Stage, Long> nonZero = new EnumMap<>(Stage.class);
        Map<Stage, Duration> largest = new EnumMap<>(Stage.class);
        clamps.forEach((stage, n) -> {
            if (n != 0) {
                nonZero.put(stage, n);
                Duration l = largestClamps.get(stage);
                if (l != null) {
                    largest.put(stage, l);
                }
            }
        });
        this.clamps = Map.copyOf(nonZero);
        this.largestClamps = Map.copyOf(largest);
        this.clockOffsetBounds = clockOffsetBounds;
        this.notes = List.copyOf(notes);
        this.systems = Set.copyOf(systems);
    }

    /**
     * @return the messaging systems measured, lower case ({@code kafka}, {@code pulsar}, {@code rabbitmq}); empty when
     *     unknown, as in a report read back from a file (which does not record them)
     */
    public Set<String> systems() {
        return systems;
    }

    public Instant start() {
        return start;
    }

    public Instant end() {
        return end;
    }

    public Duration duration() {
        return Duration.between(start, end);
    }

    /** @return end-to-end latency, from the send instant to the receive instant */
    public StageStats endToEnd() {
        return endToEnd;
    }

    /**
     * @return end-to-end latency measured from the intended send instant (coordinated-omission
     *     corrected) when the traffic was paced; empty otherwise
     */
    public Optional<StageStats> endToEndFromIntended() {
        return Optional.ofNullable(endToEndFromIntended);
    }

    /** @return producer latency, send → acknowledgement (not end-to-end) */
    public Optional<StageStats> producerLatency() {
        return Optional.ofNullable(producerLatency);
    }

    /** @return actual − intended send instant, for paced traffic */
    public Optional<StageStats> lateness() {
        return Optional.ofNullable(lateness);
    }

    /**
     * @return the stages in order; a stage whose boundary was not observed appears merged with its
     *     neighbour (e.g. {@code publish+commit}); several entries may cover the same stage when
     *     messages were observed differently
     */
    public List<StageStats> stages() {
        return stages;
    }

    /** @return the distribution of exactly {@code stage}, or empty when it was only observed merged */
    public Optional<StageStats> stage(Stage stage) {
        return stages.stream().filter(s -> s.stages().equals(List.of(stage))).findFirst();
    }

    /** @return the merged entries of {@link #stages()}, e.g. {@code publish+commit} */
    public List<String> mergedStages() {
        return stages.stream().filter(StageStats::isMerged).map(StageStats::name).toList();
    }

    public Counts counts() {
        return counts;
    }

    /** @return how many times the boundary ending {@code stage} had to be moved beyond its resolution */
    public long clamps(Stage stage) {
        return clamps.getOrDefault(stage, 0L);
    }

    /** @return the largest move of a clamp at the end of {@code stage}, when there was one */
    public Optional<Duration> largestClamp(Stage stage) {
        return clamps(stage) == 0 ? Optional.empty() : Optional.ofNullable(largestClamps.get(stage));
    }

    /** @return the clock-offset bounds, when messages carried broker timestamps */
    public Optional<ClockOffsetBounds> clockOffsetBounds() {
        return Optional.ofNullable(clockOffsetBounds);
    }

    /** @return what the reader should know: merged stages and why, configuration warnings */
    public List<String> notes() {
        return notes;
    }

    /** @return messages sent per second over the report's duration */
    public double sentPerSecond() {
        return perSecond(counts.sent());
    }

    /** @return stamped messages received per second over the report's duration */
    public double receivedPerSecond() {
        return perSecond(counts.received());
    }

    private double perSecond(long n) {
        long micros = Duration.between(start, end).toNanos() / 1000;
        return micros <= 0 ? 0 : n * 1_000_000.0 / micros;
    }

    /** @return the report as a plain-text table (milliseconds), readable in a terminal */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        Counts c = counts;
        out.append(String.format(Locale.ROOT, "%d sent, %d received (%d joined) in %.1f s: %.0f msg/s sent, %.0f msg/s received%n",
                c.sent(), c.received(), c.joined(), duration().toMillis() / 1000.0, sentPerSecond(), receivedPerSecond()));
        out.append(c.outcomeLine()).append('\n');
        out.append(String.format(Locale.ROOT, "%-28s %8s %9s %9s %9s %9s %9s %9s %9s %9s%n",
                "latency (ms)", "count", "min", "p50", "p90", "p99", "p99.9", "p99.99", "max", "mean"));
        for (StageStats s : stages) {
            row(out, s.name(), s);
        }
        row(out, "end-to-end", endToEnd);
        if (endToEndFromIntended != null) {
            row(out, "end-to-end from intended", endToEndFromIntended);
        }
        if (producerLatency != null) {
            row(out, "producer (send->ack)", producerLatency);
        }
        if (lateness != null) {
            row(out, "lateness (actual-intended)", lateness);
        }
        List<String> clampText = new ArrayList<>();
        for (Stage s : Stage.values()) {
            if (clamps(s) > 0) {
                clampText.add(String.format(Locale.ROOT, "end of %s %d%s", s.label(), clamps(s), largestClamp(s)
                        .map(d -> String.format(Locale.ROOT, " (largest %.3f ms)", ms(d))).orElse("")));
            }
        }
        out.append("clamps: ").append(clampText.isEmpty() ? "none" : String.join(", ", clampText)).append('\n');
        if (clockOffsetBounds != null) {
            out.append(String.format(Locale.ROOT, "clock offset broker-client: between %.3f ms and %.3f ms%n",
                    clockOffsetBounds.lowerMicros() / 1000.0, clockOffsetBounds.upperMicros() / 1000.0));
        }
        for (String note : notes) {
            out.append("note: ").append(note).append('\n');
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String name, StageStats s) {
        if (s == null || s.count() == 0) {
            out.append(String.format(Locale.ROOT, "%-28s %8d%n", name, 0));
            return;
        }
        out.append(String.format(Locale.ROOT, "%-28s %8d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f%n", name,
                s.count(), ms(s.min()), ms(s.p50()), ms(s.p90()), ms(s.p99()), ms(s.p999()), ms(s.p9999()),
                ms(s.max()), ms(s.mean())));
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    /** @return true when {@code o} is a report of the same data (histograms compared by content) */
    @Override
    public boolean equals(Object o) {
        return o instanceof LatencyReport r && start.equals(r.start) && end.equals(r.end) && endToEnd.equals(r.endToEnd)
                && Objects.equals(endToEndFromIntended, r.endToEndFromIntended)
                && Objects.equals(producerLatency, r.producerLatency) && Objects.equals(lateness, r.lateness)
                && stages.equals(r.stages) && counts.equals(r.counts) && clamps.equals(r.clamps)
                && largestClamps.equals(r.largestClamps) && Objects.equals(clockOffsetBounds, r.clockOffsetBounds)
                && notes.equals(r.notes) && systems.equals(r.systems);
    }

    @Override
    public int hashCode() {
        return Objects.hash(start, end, endToEnd, stages, counts);
    }

    @Override
    public String toString() {
        return toTable();
    }
}
