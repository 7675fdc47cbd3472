package io.latencylib.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code @LatencySLO}'s attributes other than the objectives, as tables: valid input and the value
 * read, bad input and the exact message (attribute, range, at most 60 characters of the input).
 * Durations are read by the objectives' parser ({@code Slo.parseDuration}); its grammar is tested in
 * latency-lib's SloNumbersTest, here are the attributes' ranges and how their messages read.
 */
class AttributesTest {

    private static final String DURATION_RANGE = "duration must be between 1ms and 24h";
    private static final String WARM_UP_RANGE = "warmUp must be between 0 and 24h";
    private static final String WRITTEN = ", written like 500ms, 1.5s or 2min";

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, textBlock = """
            10s|PT10S
            ' 500ms '|PT0.5S
            1.5s|PT1.5S
            1 s|PT1S
            2m|PT2M
            2min|PT2M
            1h|PT1H
            24h|PT24H
            86400s|PT24H
            1ms|PT0.001S
            1000000ns|PT0.001S
            10_000ms|PT10S
            0.001s|PT0.001S
            """)
    void durationsRead(String text, Duration expected) {
        assertThat(Attributes.duration(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, textBlock = """
            0s|PT0S
            0ms|PT0S
            0.0h|PT0S
            2s|PT2S
            24h|PT24H
            1ns|PT0.000000001S
            250us|PT0.00025S
            250µs|PT0.00025S
            0.000001s|PT0.000001S
            """)
    void warmUpsRead(String text, Duration expected) {
        assertThat(Attributes.warmUp(text, "warmUp")).isEqualTo(expected);
    }

    /** text | position | problem (@range: the attribute's range; @hint: "; " + range + WRITTEN appended). */
    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, textBlock = """
            0s|0|@range
            0ms|0|@range
            0.999ms|0|@range
            24.000000001h|0|@range
            86400.000000001s|0|@range
            25h|0|@range
            1441min|0|@range
            -1s|0|@range
            -0s|0|@range
            99999999999999999999s|0|@range
            1.0000000001s|0|a duration must be a whole number of nanoseconds@hint
            1e3ms|1|an exponent is not accepted: write the number in plain decimal digits, e.g. 1000000 rather than 1e6@hint
            1,5s|1|a comma is not accepted in a number: write 10000 or 10_000, and 0.5 with a point@hint
            10|2|expected a unit (ns, us, ms, s, min, h) after 10, e.g. "10ms"@hint
            10 seconds|3|unknown unit "seconds" (ns, us, ms, s, min, h) after 10, e.g. "10ms"@hint
            10sec|2|unknown unit "sec" (ns, us, ms, s, min, h) after 10, e.g. "10ms"@hint
            PT10S|0|expected a number such as 50 or 0.5, found "PT10S"@hint
            ten seconds|0|expected a number such as 50 or 0.5, found "ten"@hint
            NaN|0|expected a number such as 50 or 0.5, found "NaN"@hint
            Infinity|0|expected a number such as 50 or 0.5, found "Infinity"@hint
            +1s|0|expected a number such as 50 or 0.5, found "+1s"@hint
            1.s|2|expected a digit after the decimal point@hint
            10s 5ms|4|expected the end of the duration@hint
            10s,|3|expected the end of the duration@hint
            ''|0|expected a duration@hint
            '   '|0|expected a duration@hint
            """)
    void badDurations(String text, int position, String problem) {
        assertBad(Attributes::duration, "duration", DURATION_RANGE, text, text, position, position, problem);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, textBlock = """
            -1ms|0|@range
            24h 1ns|4|expected the end of the duration@hint
            1441min|0|@range
            0.5ns|0|a duration must be a whole number of nanoseconds@hint
            0|1|expected a unit (ns, us, ms, s, min, h) after 0, e.g. "0ms"@hint
            ten seconds|0|expected a number such as 50 or 0.5, found "ten"@hint
            """)
    void badWarmUps(String text, int position, String problem) {
        assertBad(t -> Attributes.warmUp(t, "warmUp"), "warmUp", WARM_UP_RANGE, text, text, position, position,
                problem);
    }

    /** Whatever the length of the input, the message quotes at most 60 characters of it, cut with "...": text | excerpt | position | caret | problem. */
    static Stream<Arguments> longDurations() {
        String nines = "9".repeat(400) + "s";   // overflowed silently through longValue() before
        String spaces = "1s" + " ".repeat(100) + "x";
        String mega = "1" + "0".repeat(1_000_000) + "s";
        return Stream.of(
                Arguments.of(nines, "9".repeat(60) + "...", 0, 0, "@range"),
                Arguments.of("1" + "_".repeat(300) + "s", "1" + "_".repeat(59) + "...", 1, 1,
                        "expected a unit (ns, us, ms, s, min, h) after 1, e.g. \"1ms\"@hint"),
                Arguments.of("10s " + "x".repeat(200), "10s " + "x".repeat(56) + "...", 4, 4,
                        "expected the end of the duration@hint"),
                Arguments.of(spaces, "..." + spaces.substring(spaces.length() - 60), 102, 62,
                        "expected the end of the duration@hint"),
                Arguments.of(mega, "..." + "0".repeat(60) + "...", 500, 33,
                        "a duration is at most 500 characters long; this one has 1000002@hint"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("longDurations")
    void longBadDurationsAreQuotedInPart(String text, String excerpt, int position, int caret, String problem) {
        assertBad(Attributes::duration, "duration", DURATION_RANGE, text, excerpt, position, caret, problem);
        assertThatThrownBy(() -> Attributes.duration(text)).satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"0, 0", "0.5, 0.5", "1000, 1000", "1000000000, 1000000000", "-0.0, -0.0"})
    void ratesRead(double rate, double expected) {
        assertThat(Attributes.rate(rate)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            -1                       | -1
            -0.001                   | -0.001
            1000000000.5             | 1000000000.5
            1000000001               | 1000000001
            NaN                      | NaN
            Infinity                 | Infinity
            -Infinity                | -Infinity
            1e300                    | 1.0E300
            -1.7976931348623157E308  | -1.7976931348623157E308
            """)
    void badRates(double rate, String shown) {
        assertThatThrownBy(() -> Attributes.rate(rate)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rate must be between 0 (no paced load) and 1000000000 messages per second, was " + shown);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"0", "1", "1024", "16777216"})
    void messageSizesRead(int bytes) {
        assertThat(Attributes.messageSize(bytes)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"-1", "16777217", "2147483647", "-2147483648"})
    void badMessageSizes(int bytes) {
        assertThatThrownBy(() -> Attributes.messageSize(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("messageSize must be between 0 and 16777216 bytes (16 MiB), was " + bytes);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, textBlock = """
            kafka|kafka
            ' Pulsar '|pulsar
            RabbitMQ|rabbitmq
            my-system.v2_x|my-system.v2_x
            0123456789012345678901234567890123456789|0123456789012345678901234567890123456789
            """)
    void systemsRead(String text, String expected) {
        assertThat(Attributes.system(text)).isEqualTo(expected);
    }

    static Stream<Arguments> badSystems() {
        return Stream.of(
                Arguments.of("kafka pulsar", "\"kafka pulsar\""),
                Arguments.of("_kafka", "\"_kafka\""),
                Arguments.of("kaf\nka", "\"kaf ka\""),
                Arguments.of("kafka!", "\"kafka!\""),
                Arguments.of("x".repeat(41), "\"" + "x".repeat(20) + "...\""),
                Arguments.of("k".repeat(1_000_000), "\"" + "k".repeat(20) + "...\""));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("badSystems")
    void badSystems(String text, String quoted) {
        assertThatThrownBy(() -> Attributes.system(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("system must be the name of a messaging system such as \"kafka\", \"pulsar\" or"
                        + " \"rabbitmq\": 1 to 40 letters, digits, '.', '_' or '-', was " + quoted);
    }

    private static void assertBad(Function<String, Duration> parse, String name, String range, String text,
                                  String excerpt, int position, int caret, String problem) {
        String expanded = problem.replace("@range", range).replace("@hint", "; " + range + WRITTEN);
        assertThatThrownBy(() -> parse.apply(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad " + name + " \"" + excerpt + "\" at position " + position + ": " + expanded
                        + "\n  " + excerpt + "\n  " + " ".repeat(caret) + "^");
    }
}
