package io.latencylib.report;

import io.latencylib.LatencyReport;
import io.latencylib.load.LoadReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reports people can read and programs can compare: JSON files (one versioned schema), HdrHistogram
 * interval logs, self-contained HTML pages, and baseline-versus-candidate comparisons.
 *
 * <pre>{@code
 * LatencyReport report = recorder.report();
 * LatencyReports.writeJson(report, Path.of("target/run.json"));
 * LatencyReports.writeHtml(report, Path.of("target/run.html"));
 * LatencyReports.writeHistogramLog(report, Path.of("target/run.hlog"));
 *
 * ReportData baseline = LatencyReports.readJson(Path.of("baseline.json"));
 * ReportComparison diff = LatencyReports.compare(baseline, LatencyReports.readJson(Path.of("target/run.json")));
 * System.out.print(diff.toText());
 * }</pre>
 *
 * Every method taking a {@link LatencyReport} or {@link LoadReport} also exists for {@link ReportData},
 * the detached value that JSON files are read into; {@link ReportData#of} makes one, optionally with
 * interval reports for rate and percentiles over time.
 */
public final class LatencyReports {

    /** The {@code schema} member of every report file. */
    public static final String SCHEMA = ReportJson.SCHEMA;
    /** The {@code version} member this library writes and reads. */
    public static final int SCHEMA_VERSION = ReportJson.VERSION;

    private LatencyReports() {
    }

    // ---------------------------------------------------------------- JSON

    /** Writes {@code report} as JSON (see {@link #toJson(ReportData)} for the schema). */
    public static void writeJson(LatencyReport report, Path file) throws IOException {
        writeJson(ReportData.of(report), file);
    }

    /** Writes a load run as JSON, with its schedule, rates, steps and backlog samples. */
    public static void writeJson(LoadReport report, Path file) throws IOException {
        writeJson(ReportData.of(report), file);
    }

    /** Writes {@code data} as JSON (see {@link #toJson(ReportData)} for the schema), UTF-8. */
    public static void writeJson(ReportData data, Path file) throws IOException {
        write(file, toJson(data));
    }

    /**
     * Renders {@code data} as JSON of schema {@code "latency-lib/report"}, {@code "version": 2} (version 1 files, without verdicts, are read too); the
     * full description, field by field, is {@code REPORT-SCHEMA.md} next to this package's tests
     * ({@code latency-lib/src/test/resources/io/latencylib/report/}). In short: {@code schema},
     * {@code version}, {@code latencyUnit} ({@code "microseconds"}), {@code run} (start and end as
     * ISO-8601 instants, {@code durationMicros}), {@code environment}, {@code stages} (distributions),
     * {@code endToEnd}, and when measured {@code endToEndFromIntended}, {@code producerLatency},
     * {@code lateness}; {@code counts}, {@code clamps}, {@code clockOffsetMicros}, {@code notes};
     * {@code load} for load runs, {@code intervals} (interval reports, possibly none) and
     * {@code verdicts} (the objectives checked, {@link ReportData#withVerdicts}, possibly none). A
     * distribution has {@code name}, {@code stages}, {@code count}, {@code min}, {@code max},
     * {@code mean}, {@code percentiles} ({@code "50"}, {@code "90"}, {@code "99"}, {@code "99.9"},
     * {@code "99.99"}) and {@code histogram}: HdrHistogram's compressed encoding in Base64, from which
     * a reader derives everything else. Readers ignore members they do not know; a change that
     * would break a reader increments the version.
     */
    public static String toJson(ReportData data) {
        return ReportJson.write(data);
    }

    /**
     * @return the report {@code file} holds, equal to the {@link ReportData} it was written from
     * @throws IOException when it cannot be read, is not a latency-lib report, or has a version this
     *     library does not read (it reads {@value ReportJson#OLDEST_READ} to {@value ReportJson#VERSION})
     */
    public static ReportData readJson(Path file) throws IOException {
        return fromJson(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** @return the report {@code json} holds; see {@link #readJson(Path)} */
    public static ReportData fromJson(String json) throws IOException {
        return ReportJson.read(json);
    }

    // ---------------------------------------------------------------- merging

    /**
     * Adds reports of one run measured by several processes (load generators sharing a schedule, see
     * {@code io.latencylib.load.WorkerShare}) into one: every distribution is the exact sum of theirs
     * ({@code Histogram.add}), counts and clamps are summed, the span covers all of them, and the clock-offset
     * bounds are the envelope of theirs (each process's clock has its own offset: read each report's own bounds
     * for a pair of hosts).
     *
     * @throws IllegalArgumentException when there is nothing to merge, or the reports split the stages
     *                                  differently (one merged publish and commit, another did not)
     */
    public static LatencyReport merge(List<LatencyReport> reports) {
        return ReportMerge.merge(reports);
    }

    // ---------------------------------------------------------------- HdrHistogram logs

    /**
     * Writes {@code report} as an HdrHistogram interval log with a single interval (the report's
     * start to end) holding one tagged histogram per distribution; see {@link HistogramLogRecorder}
     * for the tags, and to append one interval per call.
     */
    public static void writeHistogramLog(LatencyReport report, Path file) throws IOException {
        try (HistogramLogRecorder log = HistogramLogRecorder.create(file)) {
            log.append(report);
        }
    }

    /**
     * Writes an HdrHistogram interval log of {@code data}: one interval per interval report when it
     * has any, otherwise the single interval of the whole run.
     */
    public static void writeHistogramLog(ReportData data, Path file) throws IOException {
        try (HistogramLogRecorder log = HistogramLogRecorder.create(file)) {
            for (LatencyReport interval : data.intervals().isEmpty() ? List.of(data.latency()) : data.intervals()) {
                log.append(interval);
            }
        }
    }

    /**
     * Writes consecutive interval reports (e.g. from {@code LatencyRecorder.newIntervalReader().next()})
     * as an HdrHistogram interval log, one interval each.
     */
    public static void writeHistogramLog(List<LatencyReport> intervals, Path file) throws IOException {
        try (HistogramLogRecorder log = HistogramLogRecorder.create(file)) {
            intervals.forEach(log::append);
        }
    }

    // ---------------------------------------------------------------- HTML

    /** Writes one self-contained HTML page for {@code report}. */
    public static void writeHtml(LatencyReport report, Path file) throws IOException {
        writeHtml(ReportData.of(report), file);
    }

    /** Writes one self-contained HTML page for a load run, with rate and p99 over time. */
    public static void writeHtml(LoadReport report, Path file) throws IOException {
        writeHtml(ReportData.of(report), file);
    }

    /** Writes one self-contained HTML page for {@code data}. */
    public static void writeHtml(ReportData data, Path file) throws IOException {
        write(file, toHtml(data));
    }

    /**
     * @return one self-contained HTML page (XHTML-compatible markup, inline CSS and SVG, no script, no
     *     URL): first the SLO verdicts when {@code data} carries them ({@link ReportData#withVerdicts}: for
     *     each objective PASS or FAIL, the measured value and the stage at fault, then each violation
     *     explained), then the summary, percentile distribution of end-to-end latency (corrected and uncorrected for
     *     paced runs), the stages at p50, p99 and p99.9, rate and p99 over time for load runs or when
     *     interval reports are given, the latency table, counts, clamps, clock offsets, notes, load
     *     steps and the environment. Follows the page's light or dark colour scheme; prints in light.
     */
    public static String toHtml(ReportData data) {
        return HtmlReport.report(data);
    }

    // ---------------------------------------------------------------- comparison

    /** @return {@code candidate} compared with {@code baseline}, per stage and percentile */
    public static ReportComparison compare(ReportData baseline, ReportData candidate) {
        return ReportComparison.of(baseline, candidate);
    }

    /** @return the comparison of two JSON report files */
    public static ReportComparison compare(Path baselineJson, Path candidateJson) throws IOException {
        return ReportComparison.of(readJson(baselineJson), readJson(candidateJson));
    }

    /** Writes the comparison as one self-contained HTML page. */
    public static void writeHtml(ReportComparison comparison, Path file) throws IOException {
        write(file, comparison.toHtml());
    }

    private static void write(Path file, String text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
