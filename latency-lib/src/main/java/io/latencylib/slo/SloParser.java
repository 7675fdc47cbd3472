package io.latencylib.slo;

import io.latencylib.Stage;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The string form of {@link Slo}: {@code [stage.]metric op value [in every <duration> window]}.
 *
 * <p>Numbers are plain decimals: digits, optionally grouped with {@code _} ({@code 10_000}) and with a
 * fraction after a point ({@code 0.5}); no sign, exponent, comma, {@code NaN} or {@code Infinity}. Each
 * kind of number has a range ({@link Quantity}), checked exactly on the decimal before it becomes a
 * {@code double}, so nothing rounds into or out of range.
 */
final class SloParser {

    /** The longest objective accepted; the longest useful one is well under 100 characters. */
    static final int MAX_LENGTH = 500;

    private static final String STAGES = Arrays.stream(Stage.values()).map(Stage::label)
            .collect(Collectors.joining(", "));
    private static final String METRICS = "p<percentile> (e.g. p99, p99.9), max, mean, throughput, lost, duplicated,"
            + " reordered, errors";
    private static final String UNITS = "ns, us, ms, s, min, h";
    private static final String A_NUMBER = "expected a number such as 50 or 0.5";

    /** The kinds of number an objective holds, with their ranges. Durations are in nanoseconds. */
    enum Quantity {
        PERCENTILE(0, true, 100, false,
                "a percentile must be above 0 and at most 100, e.g. p99, p99.9 or p100 (the max)"),
        /** Up to the histograms' ceiling: larger latencies are recorded as one hour. */
        LATENCY(0, false, 3_600_000_000_000L, true,
                "a latency threshold must be between 0 and 1 h (3600 s, the ceiling of the recorded histograms)"),
        WINDOW(1_000_000, false, 86_400_000_000_000L, true, "a window must be between 1 ms and 24 h"),
        COUNT(0, false, 1_000_000_000_000_000L, true, "a count must be between 0 and 1000000000000000"),
        PERCENT(0, false, 100, false, "a percentage must be between 0 and 100%"),
        RATE(0, false, 1_000_000_000L, false, "a rate must be between 0 and 1000000000/s");

        /** More significant digits than a double keeps: 99.99999999999999999 would silently become 100. */
        static final int MAX_DIGITS = 15;

        private final BigDecimal min;
        private final boolean minExcluded;
        private final BigDecimal max;
        private final boolean whole;
        private final String range;

        Quantity(long min, boolean minExcluded, long max, boolean whole, String range) {
            this.min = BigDecimal.valueOf(min);
            this.minExcluded = minExcluded;
            this.max = BigDecimal.valueOf(max);
            this.whole = whole;
            this.range = range;
        }

        /** @return what is wrong with {@code v} as this quantity, or null when it is fine */
        String problem(BigDecimal v) {
            return SloParser.problem(v, min, minExcluded, max, whole, range, this == COUNT
                    ? "expected a whole number of messages" : NOT_WHOLE_NANOS);
        }

        /** @return what the range is, e.g. {@code a window must be between 1 ms and 24 h} */
        String range() {
            return range;
        }

        /**
         * For the fluent API: the same rules on a double.
         *
         * @throws IllegalArgumentException naming the rule and {@code v}
         */
        double check(double v) {
            String problem = Double.isFinite(v) ? problem(BigDecimal.valueOf(v)) : range;
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": " + (Double.isFinite(v) ? Slo.plain(v) : v));
            }
            return v;
        }

        /**
         * For the fluent API: the same rules on a duration.
         *
         * @return {@code d} in nanoseconds
         * @throws IllegalArgumentException naming the rule and {@code d}
         */
        long check(Duration d) {
            // beyond every range (and toNanos could overflow): the range
            String problem = d == null || d.compareTo(Duration.ofDays(1)) > 0 ? range
                    : problem(BigDecimal.valueOf(d.toNanos()));
            if (problem != null) {
                throw new IllegalArgumentException(problem + ": " + d);
            }
            return d.toNanos();
        }
    }

    private static final String NOT_WHOLE_NANOS = "a duration must be a whole number of nanoseconds";

    /** @return what is wrong with {@code v} for the range given, or null when it is fine */
    private static String problem(BigDecimal v, BigDecimal min, boolean minExcluded, BigDecimal max, boolean whole,
                                  String range, String notWhole) {
        int vsMin = v.compareTo(min);
        if (vsMin < 0 || (minExcluded && vsMin == 0) || v.compareTo(max) > 0) {
            return range;
        }
        BigDecimal stripped = v.stripTrailingZeros();
        if (whole && stripped.scale() > 0) {
            return notWhole;
        }
        if (stripped.precision() > Quantity.MAX_DIGITS) {
            return "too many significant digits: at most " + Quantity.MAX_DIGITS;
        }
        return null;
    }

    private final String text;
    /** What the text is, for messages: {@code SLO}, or the name of a duration ({@link #duration(String, String, Duration, Duration)}). */
    private final String kind;
    private int pos;
    /** Whether the last {@link #decimal} had a minus sign: out of every range, even {@code -0}. */
    private boolean negative;

    private SloParser(String text, String kind) {
        this.text = text;
        this.kind = kind;
    }

    static Slo parse(String text) {
        if (text != null && text.length() > MAX_LENGTH) {
            throw new SloSyntaxException(text, MAX_LENGTH, "an objective is at most " + MAX_LENGTH
                    + " characters long; this one has " + text.length());
        }
        if (text == null || text.isBlank()) {
            throw new SloSyntaxException(String.valueOf(text), 0, "expected an objective such as \"p99 < 50ms\"");
        }
        return new SloParser(text, SloSyntaxException.SLO).objective();
    }

    private Slo objective() {
        skipSpaces();
        int subjectAt = pos;
        String subject = word();
        if (subject.isEmpty()) {
            throw error(subjectAt, "expected " + METRICS);
        }
        Stage stage = null;
        int metricAt = subjectAt;
        if (!isPercentile(subject) && subject.contains(".")) {
            String stageText = subject.substring(0, subject.indexOf('.'));
            metricAt = subjectAt + stageText.length() + 1;
            String key = stageText.toLowerCase(Locale.ROOT);
            if (!key.equals("end-to-end") && !key.equals("e2e")) {
                stage = Arrays.stream(Stage.values()).filter(s -> s.label().equals(key)).findFirst()
                        .orElseThrow(() -> error(subjectAt, "unknown stage " + SloSyntaxException.quote(stageText)
                                + "; expected one of " + STAGES + " (or end-to-end)"));
            }
        }
        String metricText = text.substring(metricAt, pos);
        Slo.Metric metric;
        double percentile = 0;
        if (isPercentile(metricText)) {
            metric = Slo.Metric.PERCENTILE;
            percentile = percentile(metricAt, pos);
        } else {
            metric = switch (metricText.toLowerCase(Locale.ROOT)) {
                case "max" -> Slo.Metric.MAX;
                case "mean" -> Slo.Metric.MEAN;
                case "throughput" -> Slo.Metric.THROUGHPUT;
                case "lost" -> Slo.Metric.LOST;
                case "duplicated" -> Slo.Metric.DUPLICATED;
                case "reordered" -> Slo.Metric.REORDERED;
                case "errors" -> Slo.Metric.ERRORS;
                default -> throw error(metricAt, "unknown measure " + SloSyntaxException.quote(metricText)
                        + "; expected " + METRICS);
            };
            if (stage != null && metric != Slo.Metric.MAX && metric != Slo.Metric.MEAN) {
                throw error(subjectAt, "only latency measures (p<n>, max, mean) can be given per stage");
            }
        }
        skipSpaces();
        int opAt = pos;
        Slo.Comparison comparison = comparison();
        if (comparison == null) {
            throw error(opAt, "expected a comparison: <, <=, ==, >= or >");
        }
        skipSpaces();
        int valueAt = pos;
        boolean latency = metric == Slo.Metric.PERCENTILE || metric == Slo.Metric.MAX || metric == Slo.Metric.MEAN;
        double threshold;
        boolean percent = false;
        if (latency) {
            threshold = duration(valueAt, Quantity.LATENCY);
        } else {
            BigDecimal number = decimal(valueAt);
            skipSpaces();
            Quantity quantity = Quantity.COUNT;
            if (metric == Slo.Metric.THROUGHPUT) {
                if (!take("/s") && !take("msg/s")) {
                    throw error(pos, "expected a rate such as 10000/s");
                }
                quantity = Quantity.RATE;
            } else if (take("%")) {
                if (metric != Slo.Metric.ERRORS) {
                    throw error(pos - 1, "only errors can be given as a percentage");
                }
                percent = true;
                quantity = Quantity.PERCENT;
            }
            check(quantity, number, valueAt);
            threshold = number.doubleValue();
        }
        Slo slo = new Slo(metric, stage, percentile, comparison, threshold, percent, null);
        skipSpaces();
        if (pos < text.length()) {
            int windowAt = pos;
            if (!takeWord("in") || !takeWord("every")) {
                throw error(windowAt, "expected the end, or \"in every <duration> window\"");
            }
            skipSpaces();
            long nanos = duration(pos, Quantity.WINDOW);
            skipSpaces();
            if (!takeWord("window") && !takeWord("windows")) {
                throw error(pos, "expected \"window\" after the window's duration");
            }
            skipSpaces();
            if (pos < text.length()) {
                throw error(pos, "expected the end of the objective");
            }
            slo = slo.inEvery(Duration.ofNanos(nanos));
        }
        return slo;
    }

    /** @return true for what can only be meant as a percentile: {@code p} followed by a digit, point or sign */
    private static boolean isPercentile(String s) {
        return s.length() > 1 && (s.charAt(0) == 'p' || s.charAt(0) == 'P') && (Character.isDigit(s.charAt(1))
                || s.charAt(1) == '.' || s.charAt(1) == '-' || s.charAt(1) == '+');
    }

    /** The percentile of {@code p<number>} spanning [at, end). */
    private double percentile(int at, int end) {
        String shown = text.substring(at, end);
        pos = at + 1;
        if (!digitAt(pos) && !(text.charAt(pos) == '-' && digitAt(pos + 1))) {
            throw error(at, "expected a percentile such as p99 or p99.9, found " + SloSyntaxException.quote(shown));
        }
        BigDecimal p = decimal(at + 1);
        if (pos != end) {
            throw error(at, "expected a percentile such as p99 or p99.9, found " + SloSyntaxException.quote(shown));
        }
        check(Quantity.PERCENTILE, p, at);
        return p.doubleValue();
    }

    /**
     * A duration alone, in the notation of objectives ({@code 500ms}, {@code 1.5s}, {@code 2min}), within
     * [{@code min}, {@code max}]: see {@link Slo#parseDuration}.
     */
    static Duration duration(String text, String name, Duration min, Duration max) {
        if (name == null || name.isBlank() || min == null || max == null || min.isNegative() || max.compareTo(min) < 0
                || max.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException("a duration's name, and 0 <= min <= max <= 365 days, were expected: "
                    + SloSyntaxException.quote(String.valueOf(name)) + ", " + min + ", " + max);
        }
        String range = name + " must be between " + rangeText(min.toNanos()) + " and " + rangeText(max.toNanos());
        String hint = "; " + range + ", written like 500ms, 1.5s or 2min";
        if (text != null && text.length() > MAX_LENGTH) {
            throw new SloSyntaxException(name, text, MAX_LENGTH, "a duration is at most " + MAX_LENGTH
                    + " characters long; this one has " + text.length() + hint);
        }
        if (text == null || text.isBlank()) {
            throw new SloSyntaxException(name, String.valueOf(text), 0, "expected a duration" + hint);
        }
        SloParser p = new SloParser(text, name);
        p.skipSpaces();
        int at = p.pos;
        BigDecimal nanos;
        try {
            nanos = p.nanos(at);
        } catch (SloSyntaxException e) {
            throw new SloSyntaxException(name, text, e.position(), e.problem() + hint);
        }
        String problem = p.negative ? range : problem(nanos, BigDecimal.valueOf(min.toNanos()), false,
                BigDecimal.valueOf(max.toNanos()), true, range, NOT_WHOLE_NANOS);
        if (problem != null) {
            throw new SloSyntaxException(name, text, at, problem.equals(range) ? range : problem + hint);
        }
        p.skipSpaces();
        if (p.pos < text.length()) {
            throw new SloSyntaxException(name, text, p.pos, "expected the end of the duration" + hint);
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    /** @return {@code nanos} in the largest unit that divides it: {@code 24h}, {@code 1ms}, {@code 0} */
    private static String rangeText(long nanos) {
        if (nanos == 0) {
            return "0";
        }
        long[] factors = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000, 1_000_000, 1_000, 1};
        String[] units = {"h", "min", "s", "ms", "us", "ns"};
        int i = 0;
        while (nanos % factors[i] != 0) {
            i++;
        }
        return nanos / factors[i] + units[i];
    }

    /** A number with a unit: ns, us, µs, ms, s, m or min, h. @return whole nanoseconds within {@code quantity} */
    private long duration(int at, Quantity quantity) {
        BigDecimal nanos = nanos(at);
        check(quantity, nanos, at);
        return nanos.longValueExact();
    }

    /** A number with a unit: ns, us, µs, ms, s, m or min, h. @return the exact nanoseconds, not yet range-checked */
    private BigDecimal nanos(int at) {
        BigDecimal number = decimal(at);
        String literal = text.substring(at, pos);
        skipSpaces();
        int unitAt = pos;
        String unit = letters();
        long factor = switch (unit.toLowerCase(Locale.ROOT)) {
            case "ns" -> 1;
            case "us", "µs" -> 1_000;
            case "ms" -> 1_000_000;
            case "s" -> 1_000_000_000;
            case "m", "min" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw error(unitAt, (unit.isEmpty() ? "expected a unit" : "unknown unit "
                    + SloSyntaxException.quote(unit)) + " (" + UNITS + ") after "
                    + (literal.length() <= 20 ? literal + ", e.g. \"" + literal + "ms\"" : "the number"));
        };
        return number.multiply(BigDecimal.valueOf(factor));
    }

    private void check(Quantity quantity, BigDecimal value, int at) {
        String problem = negative ? quantity.range() : quantity.problem(value);
        if (problem != null) {
            throw error(at, problem);
        }
    }

    /**
     * A plain decimal: {@code [-]digits[.digits]}, digits optionally grouped with {@code _}. A minus sign
     * is read (and remembered in {@link #negative}) so that the range check can name the range.
     */
    private BigDecimal decimal(int at) {
        negative = take("-");
        if (!digitAt(pos)) {
            throw error(at, pos >= text.length() && !negative ? A_NUMBER : A_NUMBER + ", found "
                    + SloSyntaxException.quote(token(at)));
        }
        int start = pos;
        digits();
        if (pos < text.length() && text.charAt(pos) == '.') {
            if (!digitAt(pos + 1)) {
                throw error(pos + 1, "expected a digit after the decimal point");
            }
            pos++;
            digits();
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E') && (digitAt(pos + 1)
                || ((text.startsWith("-", pos + 1) || text.startsWith("+", pos + 1)) && digitAt(pos + 2)))) {
            throw error(pos, "an exponent is not accepted: write the number in plain decimal digits,"
                    + " e.g. 1000000 rather than 1e6");
        }
        if (pos < text.length() && text.charAt(pos) == ',' && digitAt(pos + 1)) {
            throw error(pos, "a comma is not accepted in a number: write 10000 or 10_000, and 0.5 with a point");
        }
        return new BigDecimal(text.substring(start, pos).replace("_", ""));
    }

    /** Digits, with underscores between them as in Java ({@code 10_000}). */
    private void digits() {
        while (digitAt(pos)) {
            pos++;
            int next = pos;
            while (next < text.length() && text.charAt(next) == '_') {
                next++;
            }
            if (next > pos && digitAt(next)) {
                pos = next;
            }
        }
    }

    private boolean digitAt(int i) {
        return i >= 0 && i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9';
    }

    /** @return the text from {@code at} to the next space: what was found where something else was expected */
    private String token(int at) {
        int end = at;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && end - at <= 20) {
            end++;
        }
        return text.substring(at, end);
    }

    private Slo.Comparison comparison() {
        for (String op : new String[] {"<=", ">=", "==", "<", ">"}) {
            if (take(op)) {
                return switch (op) {
                    case "<=" -> Slo.Comparison.LESS_OR_EQUAL;
                    case ">=" -> Slo.Comparison.GREATER_OR_EQUAL;
                    case "==" -> Slo.Comparison.EQUAL;
                    case "<" -> Slo.Comparison.LESS;
                    default -> Slo.Comparison.GREATER;
                };
            }
        }
        return null;
    }

    private String word() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.'
                || text.charAt(pos) == '-' || text.charAt(pos) == '_' || text.charAt(pos) == '+')) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private String letters() {
        int start = pos;
        while (pos < text.length() && Character.isLetter(text.charAt(pos))) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private boolean take(String s) {
        if (text.startsWith(s, pos)) {
            pos += s.length();
            return true;
        }
        return false;
    }

    private boolean takeWord(String w) {
        skipSpaces();
        int save = pos;
        if (letters().equalsIgnoreCase(w)) {
            return true;
        }
        pos = save;
        return false;
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private SloSyntaxException error(int at, String problem) {
        return new SloSyntaxException(kind, text, at, problem);
    }
}
