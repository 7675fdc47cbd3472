package io.latencylib.slo;

import io.latencylib.Stage;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The string form of {@link Slo}: {@code [stage.]metric op value [in every <duration> window]}. */
final class SloParser {

    private static final String STAGES = Arrays.stream(Stage.values()).map(Stage::label)
            .collect(Collectors.joining(", "));
    private static final String METRICS = "p<percentile> (e.g. p99, p99.9), max, mean, throughput, lost, duplicated,"
            + " reordered, errors";

    private final String text;
    private int pos;

    private SloParser(String text) {
        this.text = text;
    }

    static Slo parse(String text) {
        if (text == null || text.isBlank()) {
            throw new SloSyntaxException(String.valueOf(text), 0, "expected an objective such as \"p99 < 50ms\"");
        }
        return new SloParser(text).objective();
    }

    private Slo objective() {
        skipSpaces();
        int subjectAt = pos;
        String subject = word();
        if (subject.isEmpty()) {
            throw error(subjectAt, "expected " + METRICS);
        }
        Stage stage = null;
        String metricText = subject;
        if (!isPercentile(subject) && subject.contains(".")) {
            String stageText = subject.substring(0, subject.indexOf('.'));
            metricText = subject.substring(subject.indexOf('.') + 1);
            if (!stageText.equals("end-to-end") && !stageText.equals("e2e")) {
                stage = Arrays.stream(Stage.values()).filter(s -> s.label().equals(stageText)).findFirst()
                        .orElseThrow(() -> error(subjectAt, "unknown stage \"" + stageText + "\"; expected one of "
                                + STAGES + " (or end-to-end)"));
            }
        }
        int metricAt = subjectAt + (subject.length() - metricText.length());
        Slo.Metric metric;
        double percentile = 0;
        if (isPercentile(metricText)) {
            metric = Slo.Metric.PERCENTILE;
            String number = metricText.substring(1);
            try {
                percentile = Double.parseDouble(number);
            } catch (NumberFormatException e) {
                throw error(metricAt, "expected a percentile such as p99 or p99.9, found \"" + metricText + "\"");
            }
            checkPercentile(percentile, metricText, metricAt, text);
        } else {
            metric = switch (metricText) {
                case "max" -> Slo.Metric.MAX;
                case "mean" -> Slo.Metric.MEAN;
                case "throughput" -> Slo.Metric.THROUGHPUT;
                case "lost" -> Slo.Metric.LOST;
                case "duplicated" -> Slo.Metric.DUPLICATED;
                case "reordered" -> Slo.Metric.REORDERED;
                case "errors" -> Slo.Metric.ERRORS;
                default -> throw error(metricAt, "unknown measure \"" + metricText + "\"; expected " + METRICS);
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
            threshold = duration(valueAt);
        } else {
            double number = number(valueAt);
            skipSpaces();
            if (metric == Slo.Metric.THROUGHPUT) {
                if (!take("/s") && !take("msg/s")) {
                    throw error(pos, "expected a rate such as 10000/s");
                }
            } else if (take("%")) {
                if (metric != Slo.Metric.ERRORS) {
                    throw error(pos - 1, "only errors can be given as a percentage");
                }
                percent = true;
            } else if (number != Math.rint(number)) {
                throw error(valueAt, "expected a whole number of messages");
            }
            threshold = number;
        }
        Slo slo = new Slo(metric, stage, percentile, comparison, threshold, percent, null);
        skipSpaces();
        if (pos < text.length()) {
            int windowAt = pos;
            if (!takeWord("in") || !takeWord("every")) {
                throw error(windowAt, "expected the end, or \"in every <duration> window\"");
            }
            skipSpaces();
            int durationAt = pos;
            double nanos = duration(durationAt);
            if (nanos <= 0) {
                throw error(durationAt, "a window must be longer than zero");
            }
            skipSpaces();
            if (!takeWord("window") && !takeWord("windows")) {
                throw error(pos, "expected \"window\" after the window's duration");
            }
            skipSpaces();
            if (pos < text.length()) {
                throw error(pos, "expected the end of the objective");
            }
            slo = slo.inEvery(Duration.ofNanos((long) nanos));
        }
        return slo;
    }

    static void checkPercentile(double percentile, String shown, int at) {
        checkPercentile(percentile, shown, at, "p" + shown);
    }

    private static void checkPercentile(double percentile, String shown, int at, String text) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new SloSyntaxException(text, at, "percentile " + shown + " is outside (0, 100]");
        }
    }

    private static boolean isPercentile(String s) {
        return s.length() > 1 && s.charAt(0) == 'p' && (Character.isDigit(s.charAt(1)) || s.charAt(1) == '.'
                || s.charAt(1) == '-');
    }

    /** A number with a unit: ns, us, µs, ms, s, m. @return nanoseconds */
    private double duration(int at) {
        double number = number(at);
        skipSpaces();
        int unitAt = pos;
        String unit = letters();
        double factor = switch (unit) {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m", "min" -> 60e9;
            default -> throw error(unitAt, (unit.isEmpty() ? "expected a unit" : "unknown unit \"" + unit + "\"")
                    + " (ns, us, ms, s) after " + SloMessages.number(number) + ", e.g. \"" + SloMessages.number(number)
                    + "ms\"");
        };
        return number * factor;
    }

    private double number(int at) {
        int start = pos;
        if (pos < text.length() && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
            pos++;
        }
        while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.'
                || text.charAt(pos) == '_' || text.charAt(pos) == ',')) {
            pos++;
        }
        String s = text.substring(start, pos).replace("_", "").replace(",", "");
        if (s.isEmpty() || s.equals("-") || s.equals("+")) {
            throw error(at, "expected a number");
        }
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw error(at, "expected a number, found \"" + s + "\"");
        }
        if (v < 0) {
            throw error(at, "a threshold must not be negative: " + s);
        }
        return v;
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
                || text.charAt(pos) == '-' || text.charAt(pos) == '_')) {
            pos++;
        }
        return text.substring(start, pos).toLowerCase(Locale.ROOT);
    }

    private String letters() {
        int start = pos;
        while (pos < text.length() && Character.isLetter(text.charAt(pos))) {
            pos++;
        }
        return text.substring(start, pos).toLowerCase(Locale.ROOT);
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
        if (letters().equals(w)) {
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
        return new SloSyntaxException(text, at, problem);
    }
}
