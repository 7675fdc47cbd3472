package io.latencylib.slo;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One service-level objective on a {@link LatencyReport}, written as a string or built fluently:
 *
 * <pre>
 * "p99 &lt; 50ms"                        Slo.percentile(99).below(Duration.ofMillis(50))
 * "p99.9 &lt;= 120 ms"                   Slo.percentile(99.9).atMost(Duration.ofMillis(120))
 * "commit.p99 &lt; 10ms"                 Slo.percentile(99).of(Stage.COMMIT).below(Duration.ofMillis(10))
 * "max &lt; 1s"                          Slo.max().below(Duration.ofSeconds(1))
 * "throughput &gt;= 10000/s"             Slo.throughput().atLeast(10_000)
 * "lost == 0", "duplicated == 0"      Slo.lost().equalTo(0), Slo.duplicated().equalTo(0)
 * "errors &lt; 0.1%"                     Slo.errors().belowPercent(0.1)
 * "p99 &lt; 50ms in every 10s window"    Slo.percentile(99).below(Duration.ofMillis(50)).inEvery(Duration.ofSeconds(10))
 * </pre>
 *
 * Latency objectives without a stage are on end-to-end latency, measured from the intended send
 * instant when the traffic was paced (coordinated-omission corrected). Percentiles come from the
 * recorded HdrHistogram. A report that measured no message fails every objective.
 *
 * <p>Numbers are plain decimals ({@code 50}, {@code 0.5}, {@code 10_000}): no sign, exponent
 * ({@code 1e6}), comma, {@code NaN} or {@code Infinity}, at most 15 significant digits. Durations take
 * {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, {@code min} (or {@code m}), {@code h} and
 * are whole nanoseconds. Ranges, the same in the string and the fluent forms:
 * <ul>
 *   <li>percentiles above 0 and at most 100 ({@code p100} is the max);</li>
 *   <li>latency thresholds from 0 to 1 h, the ceiling of the recorded histograms (larger latencies are
 *       recorded as one hour);</li>
 *   <li>windows from 1 ms to 24 h;</li>
 *   <li>counts (lost, duplicated, reordered, errors) whole numbers from 0 to 10<sup>15</sup>; error
 *       percentages from 0 to 100 %; throughput from 0 to 10<sup>9</sup> messages per second.</li>
 * </ul>
 * A string outside them fails with a {@link SloSyntaxException} naming the range; the fluent form with
 * an {@link IllegalArgumentException}. {@link #toString()} gives the string form, which parses back to an
 * equal objective.
 */
public final class Slo {

    /** What an objective measures. */
    public enum Metric {
        PERCENTILE, MAX, MEAN, THROUGHPUT, LOST, DUPLICATED, REORDERED, ERRORS
    }

    /** How the measured value compares to the threshold. */
    public enum Comparison {
        LESS("<"), LESS_OR_EQUAL("<="), EQUAL("=="), GREATER_OR_EQUAL(">="), GREATER(">");

        final String symbol;

        Comparison(String symbol) {
            this.symbol = symbol;
        }

        boolean holds(double measured, double threshold) {
            return switch (this) {
                case LESS -> measured < threshold;
                case LESS_OR_EQUAL -> measured <= threshold;
                case EQUAL -> measured == threshold;
                case GREATER_OR_EQUAL -> measured >= threshold;
                case GREATER -> measured > threshold;
            };
        }
    }

    private final Metric metric;
    private final Stage stage;
    private final double percentile;
    private final Comparison comparison;
    /** Latency thresholds in nanoseconds; rates in messages per second; counts; error ratios in percent. */
    private final double threshold;
    private final boolean thresholdIsPercent;
    private final Duration window;

    Slo(Metric metric, Stage stage, double percentile, Comparison comparison, double threshold,
        boolean thresholdIsPercent, Duration window) {
        this.metric = metric;
        this.stage = stage;
        this.percentile = percentile;
        this.comparison = comparison;
        this.threshold = threshold;
        this.thresholdIsPercent = thresholdIsPercent;
        this.window = window;
    }

    /**
     * Parses one objective.
     *
     * @throws SloSyntaxException naming the text, the position and what was expected
     */
    public static Slo parse(String text) {
        return SloParser.parse(text);
    }

    /**
     * Parses a duration written as in an objective, for a setting that goes with objectives (a test's
     * warm-up, how long load runs), so that every duration a user writes follows one set of rules: a
     * plain decimal ({@code _} grouping allowed; no sign, exponent or comma) and a unit, {@code ns},
     * {@code us}, {@code ms}, {@code s}, {@code min} (or {@code m}) or {@code h}, e.g. {@code 500ms},
     * {@code 1.5s}, {@code 2min}; a whole number of nanoseconds, checked exactly against the range.
     *
     * @param text the duration
     * @param name what the duration is, named in the message, e.g. {@code warmUp}
     * @param min  the least accepted (at least zero)
     * @param max  the most accepted (at most 365 days)
     * @throws SloSyntaxException naming {@code name}, the range, the position and quoting at most
     *                            60 characters of {@code text}
     */
    public static Duration parseDuration(String text, String name, Duration min, Duration max) {
        return SloParser.duration(text, name, min, max);
    }

    /** Parses several objectives. */
    public static List<Slo> parseAll(String... texts) {
        List<Slo> slos = new ArrayList<>();
        for (String t : texts) {
            slos.add(parse(t));
        }
        return slos;
    }

    /** @return the start of a percentile objective, e.g. {@code percentile(99.9)} */
    public static LatencyTarget percentile(double percentile) {
        SloParser.Quantity.PERCENTILE.check(percentile);
        return new LatencyTarget(Metric.PERCENTILE, percentile, null);
    }

    /** @return the start of an objective on the largest latency */
    public static LatencyTarget max() {
        return new LatencyTarget(Metric.MAX, 100, null);
    }

    /** @return the start of an objective on the mean latency */
    public static LatencyTarget mean() {
        return new LatencyTarget(Metric.MEAN, 0, null);
    }

    /** @return the start of an objective on delivered messages per second */
    public static NumberTarget throughput() {
        return new NumberTarget(Metric.THROUGHPUT);
    }

    public static NumberTarget lost() {
        return new NumberTarget(Metric.LOST);
    }

    public static NumberTarget duplicated() {
        return new NumberTarget(Metric.DUPLICATED);
    }

    public static NumberTarget reordered() {
        return new NumberTarget(Metric.REORDERED);
    }

    /** @return the start of an objective on failed sends (a count, or a percentage of those sent) */
    public static NumberTarget errors() {
        return new NumberTarget(Metric.ERRORS);
    }

    /** @return the same objective, to hold in every window of this length rather than over the whole run */
    public Slo inEvery(Duration window) {
        SloParser.Quantity.WINDOW.check(window);
        return new Slo(metric, stage, percentile, comparison, threshold, thresholdIsPercent, window);
    }

    public Metric metric() {
        return metric;
    }

    /** @return the stage this objective is about, or empty for end-to-end (and non-latency objectives) */
    public Optional<Stage> stage() {
        return Optional.ofNullable(stage);
    }

    /** @return the window it must hold in, or empty for the whole run */
    public Optional<Duration> window() {
        return Optional.ofNullable(window);
    }

    /** @return the threshold: nanoseconds for latency, messages per second, a count, or percent */
    double threshold() {
        return threshold;
    }

    /** @return the percentile of a percentile objective */
    double percentile() {
        return percentile;
    }

    boolean isLatency() {
        return metric == Metric.PERCENTILE || metric == Metric.MAX || metric == Metric.MEAN;
    }

    /** Evaluates this objective on one report (the whole run, or one window). */
    public Verdict evaluate(LatencyReport report) {
        if (report.endToEnd().count() == 0 && report.counts().received() == 0) {
            return new Verdict(this, false, Double.NaN, "no message was measured, so nothing shows the objective"
                    + " holds: did the test send through wrapped clients?", Optional.empty());
        }
        double measured;
        if (isLatency()) {
            StageStats stats = latencyStats(report);
            if (stats == null) {
                return new Verdict(this, false, Double.NaN, "stage " + stage.label() + " was not observed on its own"
                        + " (reported merged: " + report.mergedStages() + "); see the report's notes", Optional.empty());
            }
            measured = valueOf(stats).toNanos();
        } else {
            LatencyReport.Counts c = report.counts();
            measured = switch (metric) {
                case THROUGHPUT -> report.receivedPerSecond();
                case LOST -> c.lost();
                case DUPLICATED -> c.duplicated();
                case REORDERED -> c.reordered();
                default -> thresholdIsPercent ? (c.sent() == 0 ? 0 : 100.0 * c.sendErrors() / c.sent()) : c.sendErrors();
            };
        }
        if (comparison.holds(measured, threshold)) {
            return new Verdict(this, true, measured, null, Optional.empty());
        }
        Optional<StageStats> fault = stageAtFault(report);
        return new Verdict(this, false, measured, SloMessages.violation(this, measured, report, fault),
                fault.map(StageStats::name));
    }

    /**
     * @return for a latency objective, the stage that took the most time at its percentile (for an
     *     objective on one stage, that stage); empty for other objectives or a report without stages
     */
    Optional<StageStats> stageAtFault(LatencyReport report) {
        if (!isLatency()) {
            return Optional.empty();
        }
        if (stage != null) {
            return report.stage(stage);
        }
        StageStats largest = null;
        for (StageStats s : report.stages()) {
            if (largest == null || valueOf(s).compareTo(valueOf(largest)) > 0) {
                largest = s;
            }
        }
        return Optional.ofNullable(largest);
    }

    /** @return what a latency objective measures on {@code stats}: its percentile, max or mean */
    Duration valueOf(StageStats stats) {
        return switch (metric) {
            case PERCENTILE -> stats.percentile(percentile);
            case MAX -> stats.max();
            default -> stats.mean();
        };
    }

    /** @return where a latency objective looks, as a message says it: {@code at p99}, {@code at the max}, {@code in the mean} */
    String where() {
        return switch (metric) {
            case PERCENTILE -> "at p" + plain(percentile);
            case MAX -> "at the max";
            default -> "in the mean";
        };
    }

    /** @return the distribution a latency objective reads: the stage's, or end-to-end corrected when paced */
    StageStats latencyStats(LatencyReport report) {
        if (stage == null) {
            return report.endToEndFromIntended().orElse(report.endToEnd());
        }
        return report.stage(stage).orElse(null);
    }

    /** @return the threshold as the string form writes it, exactly: {@code 1.5ms}, {@code 10000/s}, {@code 0.1%} */
    private String thresholdText() {
        if (isLatency()) {
            return durationText((long) threshold);
        }
        return switch (metric) {
            case THROUGHPUT -> plain(threshold) + "/s";
            default -> thresholdIsPercent ? plain(threshold) + "%" : String.valueOf((long) threshold);
        };
    }

    /** @return whole nanoseconds exactly, in the largest unit they reach: {@code 1.234567ms} */
    static String durationText(long nanos) {
        int scale = nanos >= 1_000_000_000 ? 9 : nanos >= 1_000_000 ? 6 : nanos >= 1_000 ? 3 : 0;
        String unit = scale == 9 ? "s" : scale == 6 ? "ms" : scale == 3 ? "us" : "ns";
        return BigDecimal.valueOf(nanos, scale).stripTrailingZeros().toPlainString() + unit;
    }

    /** @return {@code v} in plain decimal digits, without trailing zeros (no exponent, however large or small) */
    static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** @return the measured value as text, in the objective's unit */
    String format(double measured) {
        if (Double.isNaN(measured)) {
            return "nothing";
        }
        if (isLatency()) {
            return SloMessages.duration(measured);
        }
        if (metric == Metric.THROUGHPUT) {
            return String.format(Locale.ROOT, "%.1f/s", measured);
        }
        if (thresholdIsPercent) {
            return String.format(Locale.ROOT, "%.3f%%", measured);
        }
        return String.valueOf((long) measured);
    }

    /** @return the name of what is measured, e.g. {@code p99}, {@code commit.p99}, {@code lost} */
    String subject() {
        String base = switch (metric) {
            case PERCENTILE -> "p" + plain(percentile);
            case MAX -> "max";
            case MEAN -> "mean";
            default -> metric.name().toLowerCase(Locale.ROOT);
        };
        return stage == null ? base : stage.label() + "." + base;
    }

    /** @return true when a larger measured value is worse (latency, counts); false for throughput */
    boolean higherIsWorse() {
        return comparison == Comparison.LESS || comparison == Comparison.LESS_OR_EQUAL || comparison == Comparison.EQUAL;
    }

    /** @return the objective in the string form, normalized, e.g. {@code commit.p99 < 10ms} */
    @Override
    public String toString() {
        return subject() + " " + comparison.symbol + " " + thresholdText()
                + (window == null ? "" : " in every " + durationText(window.toNanos()) + " window");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Slo s && s.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** Fluent start of a latency objective. */
    public static final class LatencyTarget {
        private final Metric metric;
        private final double percentile;
        private final Stage stage;

        LatencyTarget(Metric metric, double percentile, Stage stage) {
            this.metric = metric;
            this.percentile = percentile;
            this.stage = stage;
        }

        /** @return the same objective on one stage instead of end-to-end */
        public LatencyTarget of(Stage stage) {
            return new LatencyTarget(metric, percentile, Objects.requireNonNull(stage, "stage"));
        }

        public Slo below(Duration d) {
            return make(Comparison.LESS, d);
        }

        public Slo atMost(Duration d) {
            return make(Comparison.LESS_OR_EQUAL, d);
        }

        private Slo make(Comparison c, Duration d) {
            return new Slo(metric, stage, percentile, c, SloParser.Quantity.LATENCY.check(d), false, null);
        }
    }

    /** Fluent start of an objective on a count, a rate or a percentage. */
    public static final class NumberTarget {
        private final Metric metric;

        NumberTarget(Metric metric) {
            this.metric = metric;
        }

        public Slo equalTo(long value) {
            return make(Comparison.EQUAL, value, false);
        }

        public Slo below(double value) {
            return make(Comparison.LESS, value, false);
        }

        public Slo atMost(double value) {
            return make(Comparison.LESS_OR_EQUAL, value, false);
        }

        public Slo atLeast(double value) {
            return make(Comparison.GREATER_OR_EQUAL, value, false);
        }

        /** For {@link #errors()}: fewer than {@code percent} % of the messages sent. */
        public Slo belowPercent(double percent) {
            return make(Comparison.LESS, percent, true);
        }

        private Slo make(Comparison c, double value, boolean percent) {
            if (percent && metric != Metric.ERRORS) {
                throw new IllegalArgumentException("only errors can be given as a percentage");
            }
            SloParser.Quantity quantity = metric == Metric.THROUGHPUT ? SloParser.Quantity.RATE
                    : percent ? SloParser.Quantity.PERCENT : SloParser.Quantity.COUNT;
            return new Slo(metric, null, 0, c, quantity.check(value), percent, null);
        }
    }
}
