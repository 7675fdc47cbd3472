/**
 * Reports people can read: JSON files of one versioned schema ({@link io.latencylib.report.LatencyReports#writeJson}),
 * HdrHistogram interval logs ({@link io.latencylib.report.HistogramLogRecorder}), self-contained HTML pages
 * ({@link io.latencylib.report.LatencyReports#writeHtml}) and comparisons of two runs
 * ({@link io.latencylib.report.ReportComparison}).
 */
package io.latencylib.report;
