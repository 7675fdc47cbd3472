package io.latencylib.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.LatencyStamp;
import io.latencylib.Stage;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SloTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            p99 < 50ms                          | p99 < 50ms
            p99.9 <= 120 ms                     | p99.9 <= 120ms
            P50<1.5ms                           | p50 < 1.5ms
            commit.p99 < 10ms                   | commit.p99 < 10ms
            catch-up.max <= 2 s                 | catch-up.max <= 2s
            end-to-end.p90 < 500us              | p90 < 500us
            max < 1s                            | max < 1s
            mean < 750ns                        | mean < 750ns
            throughput >= 10000/s               | throughput >= 10000/s
            throughput >= 10_000 msg/s          | throughput >= 10000/s
            lost == 0                           | lost == 0
            duplicated == 0                     | duplicated == 0
            reordered <= 3                      | reordered <= 3
            errors < 0.1%                       | errors < 0.1%
            errors == 0                         | errors == 0
            p99 < 50ms in every 10s window      | p99 < 50ms in every 10s window
            p99<50ms in every 500 ms windows    | p99 < 50ms in every 500ms window
            """)
    void parsesValidObjectivesToTheirNormalForm(String text, String normal) {
        Slo slo = Slo.parse(text);
        assertThat(slo.toString()).isEqualTo(normal);
        assertThat(Slo.parse(slo.toString())).isEqualTo(slo);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                        | 0  | expected an objective
            p99 50ms                  | 4  | expected a comparison
            p99 < 50                  | 8  | expected a unit (ns, us, ms, s, min, h) after 50
            p99 < 50 parsecs          | 9  | unknown unit "parsecs"
            comit.p99 < 5ms           | 0  | unknown stage "comit"; expected one of produce, publish, commit, catch-up, fetch
            p99 < 5ms in every        | 18 | expected a number
            p99 < 5ms each 10s        | 10 | expected the end, or "in every <duration> window"
            latency < 5ms             | 0  | unknown measure "latency"
            lost == 0.5               | 8  | expected a whole number
            lost < 1%                 | 8  | only errors can be given as a percentage
            throughput > 100          | 16 | expected a rate such as 10000/s
            commit.lost == 0          | 0  | only latency measures
            """)
    void rejectsBadObjectivesNamingThePositionAndWhatWasExpected(String text, int position, String expected) {
        assertThatThrownBy(() -> Slo.parse(text))
                .isInstanceOf(SloSyntaxException.class)
                .hasMessageContaining("bad SLO \"" + text + "\" at position " + position)
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(((SloSyntaxException) e).position()).isEqualTo(position));
    }

    @Test
    void fluentAndStringFormsAreTheSame() {
        assertThat(Slo.percentile(99).below(Duration.ofMillis(50))).isEqualTo(Slo.parse("p99 < 50ms"));
        assertThat(Slo.percentile(99).of(Stage.COMMIT).below(Duration.ofMillis(10))).isEqualTo(Slo.parse("commit.p99 < 10ms"));
        assertThat(Slo.throughput().atLeast(10_000)).isEqualTo(Slo.parse("throughput >= 10000/s"));
        assertThat(Slo.errors().belowPercent(0.1)).isEqualTo(Slo.parse("errors < 0.1%"));
        assertThat(Slo.percentile(99).below(Duration.ofMillis(50)).inEvery(Duration.ofSeconds(10)))
                .isEqualTo(Slo.parse("p99 < 50ms in every 10s window"));
    }

    static final class Clock implements LatencyClock {
        long now = 1_700_000_000_000_000L;

        @Override
        public long nowMicros() {
            return now;
        }
    }

    /** A recorder with 100 messages whose catch-up is 1..100 ms and other stages 1 ms. */
    private static LatencyReport slowConsumerReport() {
        Clock clock = new Clock();
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).build();
        ProducerProbe p = recorder.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        ConsumerProbe c = recorder.newConsumerProbe("test");
        for (int i = 1; i <= 100; i++) {
            long t = clock.now;
            byte[] stamp = p.beginSend(t, LatencyStamp.NOT_PACED);
            p.sendReturned(stamp, t + 1_000);
            p.acked(stamp, t + 3_000, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 100);
            long ready = t + 3_000 + i * 1_000L;
            c.busy(t + 3_000);   // busy from the commit until ready: catch-up i ms
            c.free(ready);
            c.received(stamp, 0, (t + 2_000) / 1000, ready + 1_000);
            c.busy(ready + 1_000);
            clock.now += 1_000_000;
        }
        return recorder.report();
    }

    @Test
    void aViolationSaysWhereTheTimeWent() {
        LatencyReport report = slowConsumerReport();
        Verdict v = Slo.parse("p99 < 50ms").evaluate(report);
        assertThat(v.passed()).isFalse();
        assertThat(v.measuredText()).startsWith("103.");
        assertThat(v.message())
                .contains("SLO violated: p99 < 50ms -- measured 103.")
                .contains("end-to-end over 100 messages: p50")
                .contains("at p99 the largest stage is catch-up: 99.")
                .contains("\n  catch-up grows with (the report does not say which system it measured):\n    kafka: a consumer"
                        + " that falls behind");   // system "test": not one the causes are known for
        assertThat(v.stageAtFault()).contains("catch-up");
        assertThat(v).hasToString("FAIL p99 < 50ms (measured " + v.measuredText() + ", stage at fault catch-up)");
        assertThat(Slo.parse("p50 < 2ms").evaluate(report).stageAtFault()).as("at p50 too").contains("catch-up");
        // an objective on one stage: that stage is at fault, whatever stage is the largest
        Verdict commit = Slo.parse("commit.p99 < 100us").evaluate(report);
        assertThat(commit.passed()).isFalse();
        assertThat(commit.stageAtFault()).contains("commit");
        assertThat(commit.message()).contains("\n  commit at p99: 501 us over 100 messages (the other stages: produce 1 ms,")
                .contains("commit grows with").doesNotContain("largest stage");
        assertThat(Slo.parse("p99 < 200ms").evaluate(report).stageAtFault()).as("passed").isEmpty();
        assertThat(Slo.parse("throughput >= 1000000/s").evaluate(report).stageAtFault()).as("not latency").isEmpty();
        assertThat(Slo.parse("p99 < 200ms").evaluate(report).passed()).isTrue();
        assertThat(Slo.parse("commit.p99 < 2ms").evaluate(report).passed()).isTrue();
        assertThat(Slo.parse("lost == 0").evaluate(report).passed()).isTrue();
        assertThat(Slo.parse("throughput >= 1000000/s").evaluate(report).message()).contains("sent 100, received 100");
    }

    @Test
    void aRunThatMeasuredNothingFailsEveryObjective() {
        LatencyReport empty = LatencyRecorder.create().report();
        List<Verdict> verdicts = SloCheck.evaluate(Slo.parseAll("p99 < 1s", "lost == 0"), empty);
        assertThat(verdicts).allSatisfy(v -> assertThat(v.passed()).isFalse());
        assertThat(SloCheck.failureMessage(verdicts)).contains("no message was measured");
    }

    @Test
    void windowedObjectivesNeedTheRunsWindows() {
        List<Verdict> v = SloCheck.evaluate(Slo.parseAll("p99 < 1s in every 10s window"), slowConsumerReport());
        assertThat(v.get(0).passed()).isFalse();
        assertThat(v.get(0).message()).contains("SloCheck.start");
    }
}
