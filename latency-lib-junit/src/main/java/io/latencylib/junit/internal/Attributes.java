package io.latencylib.junit.internal;

import io.latencylib.slo.Slo;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules of {@link io.latencylib.junit.LatencySLO}'s attributes other than the objectives: each
 * value within a documented range, durations in the notation of objectives (read by
 * {@link Slo#parseDuration}, the one duration parser), and messages that name the attribute and its
 * range and quote at most a bounded part of the input. Internal.
 */
public final class Attributes {

    /** The longest paced load and warm-up: a day, as an objective's window. */
    public static final Duration MAX_DURATION = Duration.ofDays(1);
    /** The shortest paced load. */
    public static final Duration MIN_DURATION = Duration.ofMillis(1);
    /** The highest paced rate, messages per second: an objective's throughput range. */
    public static final double MAX_RATE = 1_000_000_000;
    /**
     * The largest paced payload, bytes (16 MiB): above Kafka's (1 MB) and Pulsar's (5 MB) default limits,
     * small enough that the payloads a load run makes ahead fit in a test JVM.
     */
    public static final int MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
    private static final int MAX_SYSTEM = 40;
    private static final Pattern SYSTEM = Pattern.compile("[a-z0-9][a-z0-9._-]{0," + (MAX_SYSTEM - 1) + "}");

    private Attributes() {
    }

    /**
     * @param text {@code duration}: how long paced load lasts, 1 ms to 24 h, e.g. {@code 10s}
     * @throws IllegalArgumentException naming the attribute and its range
     */
    public static Duration duration(String text) {
        return Slo.parseDuration(text, "duration", MIN_DURATION, MAX_DURATION);
    }

    /**
     * @param text {@code warmUp}, or the run warm-up setting named {@code name}: 0 to 24 h, e.g. {@code 2s}
     * @throws IllegalArgumentException naming the attribute (or setting) and its range
     */
    public static Duration warmUp(String text, String name) {
        return Slo.parseDuration(text, name, Duration.ZERO, MAX_DURATION);
    }

    /**
     * @param rate {@code rate}: 0 (no paced load) to {@value #MAX_RATE} messages per second
     * @throws IllegalArgumentException naming the attribute and its range
     */
    public static double rate(double rate) {
        if (!(rate >= 0 && rate <= MAX_RATE)) {   // NaN too
            throw new IllegalArgumentException("rate must be between 0 (no paced load) and 1000000000 messages per"
                    + " second, was " + (Math.abs(rate) < 1e15 ? BigDecimal.valueOf(rate).stripTrailingZeros()
                    .toPlainString() : String.valueOf(rate)));   // 1e300 as 1.0E300, not 301 digits
        }
        return rate;
    }

    /**
     * @param bytes {@code messageSize}: 0 to {@value #MAX_MESSAGE_SIZE} bytes
     * @throws IllegalArgumentException naming the attribute and its range
     */
    public static int messageSize(int bytes) {
        if (bytes < 0 || bytes > MAX_MESSAGE_SIZE) {
            throw new IllegalArgumentException("messageSize must be between 0 and " + MAX_MESSAGE_SIZE
                    + " bytes (16 MiB), was " + bytes);
        }
        return bytes;
    }

    /**
     * @param text {@code system}, not blank: a system's name, any case, e.g. {@code kafka}
     * @return the name in lower case
     * @throws IllegalArgumentException naming the attribute and what a name is
     */
    public static String system(String text) {
        String name = text.trim().toLowerCase(Locale.ROOT);
        if (!SYSTEM.matcher(name).matches()) {
            throw new IllegalArgumentException("system must be the name of a messaging system such as \"kafka\","
                    + " \"pulsar\" or \"rabbitmq\": 1 to " + MAX_SYSTEM + " letters, digits, '.', '_' or '-', was "
                    + quote(text));
        }
        return name;
    }

    /** @return {@code s} in quotes, cut to 20 characters with {@code ...}, control characters as spaces */
    private static String quote(String s) {
        String cut = s.length() <= 20 ? s : s.substring(0, 20) + "...";
        StringBuilder b = new StringBuilder("\"");
        cut.chars().forEach(c -> b.append(Character.isISOControl(c) ? ' ' : (char) c));
        return b.append('"').toString();
    }
}
