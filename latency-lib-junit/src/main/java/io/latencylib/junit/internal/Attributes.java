package io.latencylib.junit.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the durations of annotation attributes: {@code 10s}, {@code 500ms}, {@code 1.5s}, {@code 2m}, {@code PT10S}. */
public final class DurationText {

    private static final Pattern SIMPLE = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m|min|h)?\\s*");

    private DurationText() {
    }

    /**
     * @param text e.g. {@code 10s}, {@code 250ms}, {@code 1.5s}, {@code 2m}, {@code 0}, or ISO-8601 {@code PT10S}
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw bad(text);
        }
        String t = text.trim();
        if (t.toUpperCase(Locale.ROOT).startsWith("PT") || t.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                return nonNegative(Duration.parse(t), text);
            } catch (DateTimeParseException e) {
                throw bad(text);
            }
        }
        Matcher m = SIMPLE.matcher(t);
        if (!m.matches()) {
            throw bad(text);
        }
        BigDecimal value = new BigDecimal(m.group(1));
        String unit = m.group(2);
        if (unit == null) {
            if (value.signum() != 0) {
                throw new IllegalArgumentException("duration \"" + text + "\" needs a unit: ns, us, ms, s, m or h"
                        + " (e.g. \"10s\", \"500ms\")");
            }
            return Duration.ZERO;
        }
        long nanosPerUnit = switch (unit) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m", "min" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
        return Duration.ofNanos(value.multiply(BigDecimal.valueOf(nanosPerUnit)).longValue());
    }

    private static Duration nonNegative(Duration d, String text) {
        if (d.isNegative()) {
            throw bad(text);
        }
        return d;
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("cannot read the duration \"" + text + "\": write e.g. \"10s\", \"500ms\","
                + " \"1.5s\", \"2m\" or ISO-8601 \"PT10S\"");
    }
}
