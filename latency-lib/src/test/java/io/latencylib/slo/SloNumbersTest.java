package io.latencylib.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.LatencyStamp;
import io.latencylib.report.LatencyReports;
import io.latencylib.report.ReportData;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Numbers in objectives: plain decimals only, each kind within its range, the same in the string and
 * the fluent form, and error messages of bounded size whatever the input.
 */
class SloNumbersTest {

    /** The range and notation messages, by the short names the tables use. */
    private static final Map<String, String> MESSAGES = Map.of(
            "@percentile", "a percentile must be above 0 and at most 100, e.g. p99, p99.9 or p100 (the max)",
            "@latency", "a latency threshold must be between 0 and 1 h (3600 s, the ceiling of the recorded histograms)",
            "@window", "a window must be between 1 ms and 24 h",
            "@count", "a count must be between 0 and 1000000000000000",
            "@percentage", "a percentage must be between 0 and 100%",
            "@rate", "a rate must be between 0 and 1000000000/s",
            "@exponent", "an exponent is not accepted: write the number in plain decimal digits, e.g. 1000000 rather"
                    + " than 1e6",
            "@number", "expected a number such as 50 or 0.5",
            "@digits", "too many significant digits: at most 15");

    private static String expand(String message) {
        String name = message.split("[:,]")[0];
        return MESSAGES.containsKey(name) ? MESSAGES.get(name) + message.substring(name.length()) : message;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # the cases of issue 14 item 5 (the 400 zeros and the 1 MB input are in the next table)
            p1e2 < 5ms                                   | 2  | @exponent
            p99 < 1e9ms                                  | 7  | @exponent
            p99 < 5ms in every 99999999999999999999s window | 19 | @window
            # exponents anywhere, either case, signed
            p1E2 < 5ms                                   | 2  | @exponent
            p1e-2 < 5ms                                  | 2  | @exponent
            p99 < 5E+3ms                                 | 7  | @exponent
            p99 < 1.5e3 us                               | 9  | @exponent
            lost == 1e3                                  | 9  | @exponent
            errors < 1e-1%                               | 10 | @exponent
            throughput >= 1E6/s                          | 15 | @exponent
            p99 < 5ms in every 1e1s window               | 20 | @exponent
            # percentiles: (0, 100], plain
            p0 < 5ms                                     | 0  | @percentile
            p0.0 < 5ms                                   | 0  | @percentile
            p100.1 < 5ms                                 | 0  | @percentile
            p100.000000000001 < 5ms                      | 0  | @percentile
            p-1 < 5ms                                    | 0  | @percentile
            p-0 < 5ms                                    | 0  | @percentile
            commit.p101 < 5ms                            | 7  | @percentile
            p99.99999999999999999999 < 5ms               | 0  | @digits
            p+99 < 5ms                                   | 0  | expected a percentile such as p99 or p99.9, found "p+99"
            p99. < 5ms                                   | 4  | expected a digit after the decimal point
            p99x < 5ms                                   | 0  | expected a percentile such as p99 or p99.9, found "p99x"
            pNaN < 5ms                                   | 0  | unknown measure "pNaN"; expected p<percentile> (e.g. p99, p99.9), max, mean, throughput, lost, duplicated, reordered, errors
            pInfinity < 5ms                              | 0  | unknown measure "pInfinity"; expected p<percentile> (e.g. p99, p99.9), max, mean, throughput, lost, duplicated, reordered, errors
            # latency thresholds: 0 to 1 h, whole nanoseconds
            p99 < -5ms                                   | 6  | @latency
            p99 < -0ms                                   | 6  | @latency
            p99 < 3600.000000001s                        | 6  | @latency
            p99 < 61min                                  | 6  | @latency
            max < 2h                                     | 6  | @latency
            mean < 99999999999999999999ns                | 7  | @latency
            p99 < 0.5ns                                  | 6  | a duration must be a whole number of nanoseconds
            p99 < 0.0000001ms                            | 6  | a duration must be a whole number of nanoseconds
            # windows: 1 ms to 24 h
            p99 < 5ms in every 0s window                 | 19 | @window
            p99 < 5ms in every 0.5ms window              | 19 | @window
            p99 < 5ms in every 24.000001h window         | 19 | @window
            p99 < 5ms in every -10s window               | 19 | @window
            # counts, percentages, rates
            lost == -1                                   | 8  | @count
            lost == -0                                   | 8  | @count
            lost == 1000000000000001                     | 8  | @count
            duplicated < 0.5                             | 13 | expected a whole number of messages
            errors < 0.5                                 | 9  | expected a whole number of messages
            errors < 100.1%                              | 9  | @percentage
            errors < -1%                                 | 9  | @percentage
            throughput >= 1000000001/s                   | 14 | @rate
            throughput >= -1/s                           | 14 | @rate
            # NaN, Infinity and other notations
            p99 < NaN ms                                 | 6  | @number, found "NaN"
            p99 < Infinity ms                            | 6  | @number, found "Infinity"
            lost == NaN                                  | 8  | @number, found "NaN"
            throughput >= Infinity/s                     | 14 | @number, found "Infinity/s"
            p99 < +5ms                                   | 6  | @number, found "+5ms"
            p99 < .5ms                                   | 6  | @number, found ".5ms"
            p99 < 0x10ms                                 | 7  | unknown unit "x" (ns, us, ms, s, min, h) after 0, e.g. "0ms"
            p99 < 5.ms                                   | 8  | expected a digit after the decimal point
            p99 < 5,5ms                                  | 7  | a comma is not accepted in a number: write 10000 or 10_000, and 0.5 with a point
            throughput >= 10,000/s                       | 16 | a comma is not accepted in a number: write 10000 or 10_000, and 0.5 with a point
            p99 < ms                                     | 6  | @number, found "ms"
            p99 <                                        | 5  | @number
            # units
            p99 < 50                                     | 8  | expected a unit (ns, us, ms, s, min, h) after 50, e.g. "50ms"
            p99 < 5 furlongs                             | 8  | unknown unit "furlongs" (ns, us, ms, s, min, h) after 5, e.g. "5ms"
            p99 < 1e                                     | 7  | unknown unit "e" (ns, us, ms, s, min, h) after 1, e.g. "1ms"
            p99 < 5ms in every 10 window                 | 22 | unknown unit "window" (ns, us, ms, s, min, h) after 10, e.g. "10ms"
            """)
    void rejectsEachBadNumberWithTheExactMessage(String text, int position, String problem) {
        SloSyntaxException e = catchThrowableOfType(SloSyntaxException.class, () -> Slo.parse(text));
        assertThat(e).as(text).isNotNull();
        assertThat(e.getMessage()).isEqualTo("bad SLO \"" + text + "\" at position " + position + ": " + expand(problem)
                + "\n  " + text + "\n  " + " ".repeat(position) + "^");
        assertThat(e.position()).isEqualTo(position);
        assertThat(e.text()).isEqualTo(text);
    }

    static Stream<Arguments> longInputs() {
        String zeros = "0".repeat(400);
        String mega = "p99 < 5ms " + "x".repeat(1 << 20);
        String longUnit = "p99 < 5" + "y".repeat(100);
        String padded = " ".repeat(200) + "p99 < 5 " + "z".repeat(200);
        return Stream.of(
                // issue 14: 1 followed by 400 zeros, once "Infinity", now out of the latency range
                Arguments.of("p99 < 1" + zeros + "ms", 6, "bad SLO \"p99 < 1" + "0".repeat(53) + "...\" at position 6: "
                        + MESSAGES.get("@latency") + "\n  p99 < 1" + "0".repeat(53) + "...\n        ^"),
                Arguments.of("lost == 1" + zeros, 8, "bad SLO \"lost == 1" + "0".repeat(51) + "...\" at position 8: "
                        + MESSAGES.get("@count") + "\n  lost == 1" + "0".repeat(51) + "...\n          ^"),
                Arguments.of("p1" + zeros + " < 5ms", 0, "bad SLO \"p1" + "0".repeat(58) + "...\" at position 0: "
                        + MESSAGES.get("@percentile") + "\n  p1" + "0".repeat(58) + "...\n  ^"),
                // issue 14: a 1 MB input gave a 3 MB message
                Arguments.of(mega, 500, "bad SLO \"..." + "x".repeat(60) + "...\" at position 500: an objective is at most"
                        + " 500 characters long; this one has 1048586\n  ..." + "x".repeat(60) + "...\n"
                        + " ".repeat(35) + "^"),
                Arguments.of(longUnit, 7, "bad SLO \"p99 < 5" + "y".repeat(53) + "...\" at position 7: unknown unit \""
                        + "y".repeat(20) + "...\" (ns, us, ms, s, min, h) after 5, e.g. \"5ms\"\n  p99 < 5" + "y".repeat(53)
                        + "...\n         ^"),
                // the problem in the middle of a long text: cut on both sides, the caret under it
                Arguments.of(padded, 208, "bad SLO \"..." + " ".repeat(22) + "p99 < 5 " + "z".repeat(30) + "...\" at position"
                        + " 208: unknown unit \"" + "z".repeat(20) + "...\" (ns, us, ms, s, min, h) after 5, e.g. \"5ms\"\n  ..."
                        + " ".repeat(22) + "p99 < 5 " + "z".repeat(30) + "...\n" + " ".repeat(35) + "^"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("longInputs")
    void aLongInputIsQuotedAroundTheProblemOnly(String text, int position, String message) {
        SloSyntaxException e = catchThrowableOfType(SloSyntaxException.class, () -> Slo.parse(text));
        assertThat(e.getMessage()).isEqualTo(message);
        assertThat(e.getMessage().length()).as("bounded, whatever the input").isLessThan(400);
        assertThat(e.position()).isEqualTo(position);
        assertThat(e.text()).isSameAs(text);
    }

    @Test
    void aLineBreakOrTabInTheTextDoesNotMoveTheCaret() {
        assertThatThrownBy(() -> Slo.parse("p99\t<\n5 parsecs"))
                .hasMessage("bad SLO \"p99 < 5 parsecs\" at position 8: unknown unit \"parsecs\" (ns, us, ms, s, min, h)"
                        + " after 5, e.g. \"5ms\"\n  p99 < 5 parsecs\n          ^");
    }

    /** Valid numbers: the value parsed (nanoseconds, a rate, a count or percent) and the normal form. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # input                              | normal form                       | threshold      | percentile | window (ns)
            p99 < 50ms                           | p99 < 50ms                        | 50000000       | 99         |
            p100 < 5ms                           | p100 < 5ms                        | 5000000        | 100        |
            p0.001 < 5ms                         | p0.001 < 5ms                      | 5000000        | 0.001      |
            p99.999999999999 < 5ms               | p99.999999999999 < 5ms            | 5000000        | 99.999999999999 |
            p099.90 < 5ms                        | p99.9 < 5ms                       | 5000000        | 99.9       |
            p99 < 0ns                            | p99 < 0ns                         | 0              | 99         |
            p99 < 0ms                            | p99 < 0ns                         | 0              | 99         |
            p99 < 1ns                            | p99 < 1ns                         | 1              | 99         |
            p99 < 1.5ms                          | p99 < 1.5ms                       | 1500000        | 99         |
            p99 < 1.234567ms                     | p99 < 1.234567ms                  | 1234567        | 99         |
            p99 < 0.0000001s                     | p99 < 100ns                       | 100            | 99         |
            p99 < 2.50000000000000000000 us      | p99 < 2.5us                       | 2500           | 99         |
            p99 < 3600s                          | p99 < 3600s                       | 3600000000000  | 99         |
            p99 < 1h                             | p99 < 3600s                       | 3600000000000  | 99         |
            p99 < 60min                          | p99 < 3600s                       | 3600000000000  | 99         |
            p99 < 1m                             | p99 < 60s                         | 60000000000    | 99         |
            p99 < 3_600_000ms                    | p99 < 3600s                       | 3600000000000  | 99         |
            p99 < 5µs                            | p99 < 5us                         | 5000           | 99         |
            max < 1H                             | max < 3600s                       | 3600000000000  | 0          |
            p99 < 5ms in every 1ms window        | p99 < 5ms in every 1ms window     | 5000000        | 99         | 1000000
            p99 < 5ms in every 24h window        | p99 < 5ms in every 86400s window  | 5000000        | 99         | 86400000000000
            p99 < 5ms in every 1.5s window       | p99 < 5ms in every 1.5s window    | 5000000        | 99         | 1500000000
            lost == 0                            | lost == 0                         | 0              | 0          |
            lost == 007                          | lost == 7                         | 7              | 0          |
            lost <= 1000000000000000             | lost <= 1000000000000000          | 1000000000000000 | 0        |
            reordered < 1.000                    | reordered < 1                     | 1              | 0          |
            errors < 0%                          | errors < 0%                       | 0              | 0          |
            errors < 0.001%                      | errors < 0.001%                   | 0.001          | 0          |
            errors <= 100%                       | errors <= 100%                    | 100            | 0          |
            throughput >= 0/s                    | throughput >= 0/s                 | 0              | 0          |
            throughput >= 0.5/s                  | throughput >= 0.5/s               | 0.5            | 0          |
            throughput >= 10_000 msg/s           | throughput >= 10000/s             | 10000          | 0          |
            throughput >= 1000000000/s           | throughput >= 1000000000/s        | 1000000000     | 0          |
            """)
    void parsesValidNumbersExactly(String text, String normal, BigDecimal threshold, BigDecimal percentile,
                                   Long windowNanos) {
        Slo slo = Slo.parse(text);
        assertThat(BigDecimal.valueOf(slo.threshold())).isEqualByComparingTo(threshold);
        assertThat(BigDecimal.valueOf(slo.percentile())).isEqualByComparingTo(percentile);
        assertThat(slo.window().map(Duration::toNanos).orElse(null)).isEqualTo(windowNanos);
        assertThat(slo).hasToString(normal);
        assertThat(Slo.parse(normal)).as("the normal form parses back").isEqualTo(slo).hasToString(normal);
    }

    static Stream<Arguments> fluentOutOfRange() {
        return Stream.of(
                fluent(() -> Slo.percentile(0), "@percentile: 0"),
                fluent(() -> Slo.percentile(100.1), "@percentile: 100.1"),
                fluent(() -> Slo.percentile(-1), "@percentile: -1"),
                fluent(() -> Slo.percentile(Double.NaN), "@percentile: NaN"),
                fluent(() -> Slo.percentile(Double.POSITIVE_INFINITY), "@percentile: Infinity"),
                fluent(() -> Slo.percentile(99.99999999999999), "@digits: 99.99999999999999"),
                fluent(() -> Slo.max().below(Duration.ofMillis(-1)), "@latency: PT-0.001S"),
                fluent(() -> Slo.max().below(Duration.ofHours(1).plusNanos(1)), "@latency: PT1H0.000000001S"),
                fluent(() -> Slo.percentile(99).atMost(Duration.ofDays(400_000)), "@latency: PT9600000H"),
                fluent(() -> Slo.max().below(null), "@latency: null"),
                fluent(() -> Slo.max().below(Duration.ofMillis(1)).inEvery(Duration.ZERO), "@window: PT0S"),
                fluent(() -> Slo.max().below(Duration.ofMillis(1)).inEvery(Duration.ofNanos(999_999)), "@window: PT0.000999999S"),
                fluent(() -> Slo.max().below(Duration.ofMillis(1)).inEvery(Duration.ofHours(25)), "@window: PT25H"),
                fluent(() -> Slo.lost().below(0.5), "expected a whole number of messages: 0.5"),
                fluent(() -> Slo.lost().equalTo(-1), "@count: -1"),
                fluent(() -> Slo.duplicated().equalTo(Long.MAX_VALUE), "@count: 9223372036854776000"),
                fluent(() -> Slo.errors().belowPercent(100.5), "@percentage: 100.5"),
                fluent(() -> Slo.errors().belowPercent(Double.NaN), "@percentage: NaN"),
                fluent(() -> Slo.throughput().atLeast(Double.POSITIVE_INFINITY), "@rate: Infinity"),
                fluent(() -> Slo.throughput().atLeast(2e9), "@rate: 2000000000"));
    }

    private static Arguments fluent(Supplier<?> make, String message) {
        return Arguments.of(make, message);
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("fluentOutOfRange")
    void theFluentFormHasTheSameRanges(Supplier<?> make, String message) {
        assertThatThrownBy(make::get).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(expand(message));
    }

    @Test
    void theFluentFormWritesWhatTheStringFormReads() throws IOException {
        List<Slo> slos = List.of(
                Slo.percentile(99.999999999999).below(Duration.ofNanos(1_234_567)),
                Slo.percentile(0.001).atMost(Duration.ZERO),
                Slo.max().atMost(Duration.ofHours(1)),
                Slo.mean().below(Duration.ofNanos(1)).inEvery(Duration.ofMillis(1)),
                Slo.percentile(50).below(Duration.ofSeconds(1)).inEvery(Duration.ofHours(24)),
                Slo.throughput().atLeast(0.125),
                Slo.throughput().atLeast(1e9),
                Slo.errors().belowPercent(0.001),
                Slo.errors().below(3),
                Slo.lost().equalTo(1_000_000_000_000_000L));
        assertThat(slos).extracting(Slo::toString).containsExactly(
                "p99.999999999999 < 1.234567ms", "p0.001 <= 0ns", "max <= 3600s", "mean < 1ns in every 1ms window",
                "p50 < 1s in every 86400s window", "throughput >= 0.125/s", "throughput >= 1000000000/s",
                "errors < 0.001%", "errors < 3", "lost == 1000000000000000");
        for (Slo slo : slos) {
            assertThat(Slo.parse(slo.toString())).isEqualTo(slo);
        }
        // and a report file keeps them: its objectives are read back with the parser
        List<Verdict> verdicts = SloCheck.evaluate(slos, oneMessage());
        ReportData data = ReportData.of(oneMessage()).withVerdicts(verdicts);
        assertThat(LatencyReports.fromJson(LatencyReports.toJson(data)).verdicts()).isEqualTo(verdicts);
    }

    /** A duration alone ({@link Slo#parseDuration}): the objectives' grammar, the caller's range and name. */
    @Test
    void aDurationAloneFollowsTheObjectivesRulesWithinTheRangeGiven() {
        assertThat(Slo.parseDuration(" 1.5s ", "timeout", Duration.ZERO, Duration.ofMinutes(1)))
                .isEqualTo(Duration.ofMillis(1500));
        assertThat(Slo.parseDuration("60_000ms", "timeout", Duration.ZERO, Duration.ofMinutes(1)))
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(catchThrowableOfType(SloSyntaxException.class,
                () -> Slo.parseDuration("1min 1ns", "timeout", Duration.ofSeconds(1), Duration.ofMinutes(1))))
                .hasMessage("bad timeout \"1min 1ns\" at position 5: expected the end of the duration; timeout must be"
                        + " between 1s and 1min, written like 500ms, 1.5s or 2min\n  1min 1ns\n       ^")
                .satisfies(e -> assertThat(e.position()).isEqualTo(5));
        assertThatThrownBy(() -> Slo.parseDuration("61s", "timeout", Duration.ZERO, Duration.ofMinutes(1)))
                .hasMessage("bad timeout \"61s\" at position 0: timeout must be between 0 and 1min\n  61s\n  ^");
        // the range itself must make sense
        assertThatThrownBy(() -> Slo.parseDuration("1s", "timeout", Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).isNotInstanceOf(SloSyntaxException.class);
        assertThatThrownBy(() -> Slo.parseDuration("1s", "timeout", Duration.ofSeconds(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).isNotInstanceOf(SloSyntaxException.class);
        assertThatThrownBy(() -> Slo.parseDuration("1s", " ", Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).isNotInstanceOf(SloSyntaxException.class);
    }

    private static LatencyReport oneMessage() {
        long[] now = {1_700_000_000_000_000L};
        LatencyClock clock = () -> now[0];
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).build();
        ProducerProbe p = recorder.newProducerProbe("kafka", true, Duration.ZERO, 16384, 5);
        ConsumerProbe c = recorder.newConsumerProbe("kafka");
        long t = now[0];
        byte[] stamp = p.beginSend(t, LatencyStamp.NOT_PACED);
        p.sendReturned(stamp, t + 100);
        p.acked(stamp, t + 900, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 100);
        c.free(t + 950);
        c.received(stamp, 0, (t + 500) / 1000, t + 1_000);
        c.busy(t + 1_000);
        now[0] += 2_000;
        return recorder.report();
    }
}
