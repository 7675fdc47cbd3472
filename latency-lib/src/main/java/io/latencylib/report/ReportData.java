package io.latencylib.report;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.load.LoadReport;
import io.latencylib.slo.SloCheck;
import io.latencylib.slo.Verdict;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a report file holds, detached from the recorder: what {@link LatencyReports#writeJson}
 * writes and {@link LatencyReports#readJson} reads back (equal to the original). Immutable.
 *
 * @param environment where the report was made
 * @param latency     the latency of the run (warm-up excluded for load runs)
 * @param load        for load runs: schedule, rates, per-step entries and backlog samples
 * @param intervals   consecutive interval reports of the same run (e.g. from
 *                    {@link LatencyRecorder#newIntervalReader()}), in order; may be empty
 * @param verdicts    the objectives checked on the run, in the order they were given (e.g. from
 *                    {@link SloCheck#finish()}); may be empty. See {@link #withVerdicts}.
 */
public record ReportData(Environment environment, LatencyData latency, Optional<LoadData> load,
                         List<LatencyData> intervals, List<Verdict> verdicts) {

    public ReportData {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(load, "load");
        intervals = List.copyOf(intervals);
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
        return new ReportData(Environment.current(), LatencyData.of(report), Optional.empty(), measured(report, intervals),
                List.of());
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
        return new ReportData(Environment.current(), LatencyData.of(report.report()), Optional.of(LoadData.of(report)),
                measured(report.report(), intervals), List.of());
    }

    /** Intervals that end before the measured part starts (a warm-up) are left out. */
    private static List<LatencyData> measured(LatencyReport report, List<LatencyReport> intervals) {
        return intervals.stream().filter(i -> i.end().isAfter(report.start())).map(LatencyData::of).toList();
    }
}
