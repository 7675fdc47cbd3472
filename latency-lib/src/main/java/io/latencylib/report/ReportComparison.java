package io.latencylib.report;

import io.latencylib.StageStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Baseline versus candidate: for every distribution both reports have (each stage, merged stages,
 * end-to-end, end-to-end from intended, producer latency, lateness), the deltas at p50, p90, p99,
 * p99.9, p99.99 and max, absolute and in percent. Read from the full histograms, so two JSON files
 * compare exactly. Immutable.
 */
public final class ReportComparison {

    /** The percentiles compared, with the labels used in {@link Row#percentile()}; 100 is the maximum. */
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99, 100};
    static final String[] LABELS = {"p50", "p90", "p99", "p99.9", "p99.99", "max"};

    /**
     * One distribution at one percentile.
     *
     * @param series     the distribution's name, e.g. {@code commit}, {@code publish+commit}, {@code end-to-end}
     * @param percentile {@code p50}, {@code p90}, {@code p99}, {@code p99.9}, {@code p99.99} or {@code max}
     * @param baseline   the baseline's value
     * @param candidate  the candidate's value
     */
    public record Row(String series, String percentile, Duration baseline, Duration candidate) {
        /** @return candidate − baseline (positive: the candidate is slower) */
        public Duration delta() {
            return candidate.minus(baseline);
        }

        /** @return the delta in percent of the baseline; empty when the baseline is zero */
        public OptionalDouble deltaPercent() {
            return baseline.isZero() ? OptionalDouble.empty()
                    : OptionalDouble.of((candidate.toNanos() - baseline.toNanos()) * 100.0 / baseline.toNanos());
        }
    }

    private final ReportData baseline;
    private final ReportData candidate;
    private final List<Row> rows;
    private final List<String> onlyInBaseline;
    private final List<String> onlyInCandidate;

    private ReportComparison(ReportData baseline, ReportData candidate) {
        this.baseline = baseline;
        this.candidate = candidate;
        Map<String, StageStats> b = byName(baseline);
        Map<String, StageStats> c = byName(candidate);
        List<Row> rows = new ArrayList<>();
        List<String> onlyB = new ArrayList<>();
        for (Map.Entry<String, StageStats> e : b.entrySet()) {
            StageStats other = c.get(e.getKey());
            if (other == null) {
                onlyB.add(e.getKey());
                continue;
            }
            for (int i = 0; i < PERCENTILES.length; i++) {
                rows.add(new Row(e.getKey(), LABELS[i], e.getValue().percentile(PERCENTILES[i]),
                        other.percentile(PERCENTILES[i])));
            }
        }
        this.rows = List.copyOf(rows);
        this.onlyInBaseline = List.copyOf(onlyB);
        this.onlyInCandidate = c.keySet().stream().filter(k -> !b.containsKey(k)).toList();
    }

    /** @return the comparison of {@code candidate} against {@code baseline} */
    public static ReportComparison of(ReportData baseline, ReportData candidate) {
        return new ReportComparison(Objects.requireNonNull(baseline, "baseline"),
                Objects.requireNonNull(candidate, "candidate"));
    }

    /** The distributions of a report that measured something, by name, in report order. */
    private static Map<String, StageStats> byName(ReportData data) {
        Map<String, StageStats> out = new LinkedHashMap<>();
        for (StageStats d : ReportData.all(data.latency())) {
            if (d.count() > 0) {
                out.putIfAbsent(d.name(), d);
            }
        }
        return out;
    }

    public ReportData baseline() {
        return baseline;
    }

    public ReportData candidate() {
        return candidate;
    }

    /** @return one row per distribution both reports have and percentile, in report order */
    public List<Row> rows() {
        return rows;
    }

    /** @return the row of {@code series} at {@code percentile} (e.g. {@code "end-to-end"}, {@code "p99"}) */
    public Optional<Row> row(String series, String percentile) {
        return rows.stream().filter(r -> r.series().equals(series) && r.percentile().equals(percentile)).findFirst();
    }

    /** @return distributions only the baseline measured (e.g. a stage the candidate saw merged) */
    public List<String> onlyInBaseline() {
        return onlyInBaseline;
    }

    /** @return distributions only the candidate measured */
    public List<String> onlyInCandidate() {
        return onlyInCandidate;
    }

    /** @return the comparison as a plain-text table (milliseconds) */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "baseline:  %s, %d received%n", describe(baseline), baseline.latency().counts().received()));
        out.append(String.format(Locale.ROOT, "candidate: %s, %d received%n", describe(candidate), candidate.latency().counts().received()));
        out.append(String.format(Locale.ROOT, "%-28s %-7s %10s %10s %10s %9s%n", "latency (ms)", "", "baseline",
                "candidate", "delta", "delta %"));
        String previous = null;
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, "%-28s %-7s %10.3f %10.3f %10s %9s%n",
                    r.series().equals(previous) ? "" : r.series(), r.percentile(), ReportData.ms(r.baseline()),
                    ReportData.ms(r.candidate()), signedMs(r.delta()), percentText(r)));
            previous = r.series();
        }
        if (!onlyInBaseline.isEmpty()) {
            out.append("only in the baseline: ").append(String.join(", ", onlyInBaseline)).append('\n');
        }
        if (!onlyInCandidate.isEmpty()) {
            out.append("only in the candidate: ").append(String.join(", ", onlyInCandidate)).append('\n');
        }
        return out.toString();
    }

    /** @return the comparison as one self-contained HTML file (table and end-to-end percentile chart) */
    public String toHtml() {
        return HtmlReport.comparison(this);
    }

    static String describe(ReportData d) {
        return String.format(Locale.ROOT, "%s (%.1f s)", d.latency().start(), d.latency().duration().toMillis() / 1000.0)
                + d.load().map(l -> ", " + l.schedule()).orElse("");
    }

    static String signedMs(Duration d) {
        return String.format(Locale.ROOT, "%+.3f", ReportData.ms(d));
    }

    static String percentText(Row r) {
        OptionalDouble p = r.deltaPercent();
        if (p.isEmpty()) {
            return r.delta().isZero() ? "0.0%" : "n/a";
        }
        return String.format(Locale.ROOT, "%+.1f%%", p.getAsDouble());
    }

    @Override
    public String toString() {
        return toText();
    }
}
