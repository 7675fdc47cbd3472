package io.latencylib.report;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import io.latencylib.internal.ReportAccess;
import io.latencylib.load.LoadReport;
import io.latencylib.slo.SloCheck;
import io.latencylib.slo.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a report file holds, detached from the recorder: what {@link LatencyReports#writeJson}
 * writes and {@link LatencyReports#readJson} reads back (equal to the original). Immutable.
 *
 * <p>The reports it holds are kept as a file holds them: without {@link LatencyReport#systems()}, which
 * the file does not record.
 *
 * @param environment where the report was made
 * @param latency     the latency of the run (warm-up excluded for load runs)
 * @param load        for load runs: schedule, rates, per-step entries and backlog samples
 * @param intervals   consecutive interval reports of the same run (e.g. from
 *                    {@link LatencyRecorder#newIntervalReader()}), in order; may be empty
 * @param verdicts    the objectives checked on the run, in the order they were given (e.g. from
 *                    {@link SloCheck#finish()}); may be empty. See {@link #withVerdicts}.
 */
public record ReportData(Environment environment, LatencyReport latency, Optional<LoadData> load,
                         List<LatencyReport> intervals, List<Verdict> verdicts) {

    public ReportData {
        Objects.requireNonNull(environment, "environment");
        latency = detached(Objects.requireNonNull(latency, "latency"));
        Objects.requireNonNull(load, "load");
        intervals = intervals.stream().map(ReportData::detached).toList();
        verdicts = List.copyOf(verdicts);
    }

    /**
     * @param verdicts the verdicts of the objectives checked on this run, e.g. from {@link SloCheck#finish()}
     *                 or {@link SloCheck#evaluate}: written to JSON and shown at the top of the HTML page
     * @return a copy of this data carrying {@code verdicts} instead of those it had
     */
    public ReportData withVerdicts(List<Verdict> verdicts) {
        return new ReportData(environment, latency, load, intervals, Objects.requireNonNull(verdicts, "verdicts"));
    }

    /** @return the data of {@code report}, in this JVM's environment */
    public static ReportData of(LatencyReport report) {
        return of(report, List.of());
    }

    /**
     * @param intervals consecutive interval reports of the same run, e.g. from successive
     *                  {@link LatencyRecorder.IntervalReader#next()} calls: they give rate and
     *                  percentiles over time, and one interval each in the histogram log; those that
     *                  end before the report starts (a warm-up) are left out
     */
    public static ReportData of(LatencyReport report, List<LatencyReport> intervals) {
        return new ReportData(Environment.current(), report, Optional.empty(), measured(report, intervals), List.of());
    }

    /** @return the data of a load run, in this JVM's environment */
    public static ReportData of(LoadReport report) {
        return of(report, List.of());
    }

    /**
     * @param intervals consecutive interval reports of the run, e.g. from an interval reader of the
     *                  recorder given to {@code LoadRun.Builder.recorder(...)}, read in its progress
     *                  listener; those that end before the measured part starts (the warm-up) are left out
     */
    public static ReportData of(LoadReport report, List<LatencyReport> intervals) {
        return new ReportData(Environment.current(), report.report(), Optional.of(LoadData.of(report)),
                measured(report.report(), intervals), List.of());
    }

    /** Intervals that end before the measured part starts (a warm-up) are left out. */
    private static List<LatencyReport> measured(LatencyReport report, List<LatencyReport> intervals) {
        return intervals.stream().filter(i -> i.end().isAfter(report.start())).toList();
    }

    // ---------------------------------------------------------------- helpers of this package

    /** @return {@code report} as a file holds it: the same, without the systems measured (a file does not record them) */
    static LatencyReport detached(LatencyReport report) {
        if (report.systems().isEmpty()) {
            return report;
        }
        Map<Stage, Long> clamps = new EnumMap<>(Stage.class);
        Map<Stage, Duration> largest = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            clamps.put(s, report.clamps(s));
            report.largestClamp(s).ifPresent(d -> largest.put(s, d));
        }
        return ReportAccess.factory().report(report.start(), report.end(), report.endToEnd(),
                report.endToEndFromIntended().orElse(null), report.producerLatency().orElse(null),
                report.lateness().orElse(null), report.stages(), report.counts(), clamps, largest,
                report.clockOffsetBounds().orElse(null), report.notes(), Set.of());
    }

    /**
     * @return every distribution of {@code report} with the name it has in tables, charts, comparisons
     *     and histogram logs: the stages, then {@code end-to-end}, {@code end-to-end from intended},
     *     {@code producer (send->ack)}, {@code lateness} (those present)
     */
    static List<StageStats> all(LatencyReport report) {
        List<StageStats> all = new ArrayList<>(report.stages());
        all.add(report.endToEnd());
        report.endToEndFromIntended().ifPresent(all::add);
        report.producerLatency().ifPresent(all::add);
        report.lateness().ifPresent(all::add);
        return all;
    }

    /** @return end-to-end from the intended send instant when the traffic was paced, else from the send */
    static StageStats endToEndCorrected(LatencyReport report) {
        return report.endToEndFromIntended().orElse(report.endToEnd());
    }

    /** @return {@code d} in milliseconds */
    static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }
}
