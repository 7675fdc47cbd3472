package io.latencylib.slo;

import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.LatencyStamp;
import io.latencylib.Stage;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a violation says: for an objective on one stage, that stage; the usual causes of the system the
 * report measured, not every system's. Reports come from a real recorder fed through its probes with a
 * clock the test drives.
 */
class SloMessagesTest {

    /** Knobs that name one system: a message about another system's run must not mention them. */
    private static final Map<String, List<String>> KNOBS = Map.of(
            "kafka", List.of("linger.ms", "buffer.memory", "acks=all", "min.insync.replicas", "fetch.min.bytes",
                    "max.poll.records", "partitions", "rebalances"),
            "pulsar", List.of("Pulsar", "batchingMaxPublishDelay", "maxPendingMessages", "BookKeeper", "bookies",
                    "receiverQueueSize", "Failover"),
            "rabbitmq", List.of("AMQP", "connection.blocked", "basicPublish", "Erlang", "quorum queues", "basic.qos",
                    "prefetch", "nack"));

    /** A recorder fed through its probes on a clock the test drives; every message has the same stages. */
    static final class Run {
        long now = 1_700_000_000_000_000L;
        final LatencyRecorder recorder = LatencyRecorder.builder().clock((LatencyClock) () -> now).build();
        final ProducerProbe producer;
        final ConsumerProbe consumer;

        Run(String producerSystem, String consumerSystem) {
            producer = recorder.newProducerProbe(producerSystem, true, Duration.ZERO, 16384, 5);
            consumer = recorder.newConsumerProbe(consumerSystem);
        }

        /**
         * {@code n} messages, one a second, with these stages in microseconds: produce, publish about 1 ms
         * (the broker's append time has millisecond resolution), commit 1 ms, catch-up, fetch.
         */
        Run send(int n, long produce, long catchUp, long fetch) {
            for (int i = 0; i < n; i++) {
                long t = now;
                byte[] stamp = producer.beginSend(t, LatencyStamp.NOT_PACED);
                producer.sendReturned(stamp, t + produce);
                long append = t + produce + 1_000;
                long ack = append + 1_000;
                producer.acked(stamp, ack, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 100);
                consumer.busy(ack);                 // busy with earlier messages from the commit: catch-up
                consumer.free(ack + catchUp);       // asking from then on: fetch
                consumer.received(stamp, 0, append / 1000, ack + catchUp + fetch);
                consumer.busy(ack + catchUp + fetch);
                now += 1_000_000;
            }
            return this;
        }

        LatencyReport report() {
            return recorder.report();
        }
    }

    /**
     * Produce 20 ms (the largest stage), catch-up 5 ms, fetch 2 ms. The histograms keep 3 significant
     * digits: 20 ms reads 20.015 ms at a percentile, 5 ms 5.003 ms.
     */
    private static LatencyReport produceIsLargest(String system) {
        return new Run(system, system).send(100, 20_000, 5_000, 2_000).report();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # objective              | stage    | the stage's line, which starts the explanation
            fetch.p99 < 100us        | FETCH    | fetch at p99: 2 ms over 100 messages (the other stages: produce 20.015 ms, publish
            fetch.max <= 1ms         | FETCH    | fetch at the max: 2 ms over 100 messages (the other stages: produce 20.015 ms, publish
            fetch.mean < 1ms         | FETCH    | fetch in the mean: 2 ms over 100 messages (the other stages: produce 20.008 ms, publish
            catch-up.p99.9 < 1ms     | CATCH_UP | catch-up at p99.9: 5.003 ms over 100 messages (the other stages: produce 20.015 ms, publish
            commit.p50 < 100us       | COMMIT   | commit at p50: 
            publish.p99 < 100us      | PUBLISH  | publish at p99: 
            produce.p99 < 1ms        | PRODUCE  | produce at p99: 20.015 ms over 100 messages (the other stages: publish
            """)
    void anObjectiveOnOneStageExplainsThatStageNotTheLargest(String objective, Stage stage, String line) {
        Verdict v = Slo.parse(objective).evaluate(produceIsLargest("kafka"));
        assertThat(v.passed()).isFalse();
        assertThat(v.stageAtFault()).contains(stage.label());
        List<String> lines = v.message().lines().toList();
        assertThat(lines.get(0)).startsWith("SLO violated: " + objective + " -- measured ").endsWith(" (" + stage.label() + ")");
        assertThat(lines.get(1)).startsWith("  " + line.strip());
        assertThat(lines).contains("  " + stage.label() + " grows with: " + stage.usualCausesBySystem().get("kafka"));
        assertThat(v.message()).doesNotContain("largest");
        for (Stage other : Stage.values()) {
            if (other != stage) {
                assertThat(v.message()).as("the causes of " + other.label())
                        .doesNotContain(other.usualCausesBySystem().get("kafka"));
            }
        }
    }

    @Test
    void anEndToEndObjectiveStillNamesTheLargestStage() {
        Verdict v = Slo.parse("p99 < 10ms").evaluate(produceIsLargest("kafka"));
        assertThat(v.stageAtFault()).contains("produce");
        assertThat(v.message().lines().toList()).anyMatch(l -> l.startsWith("  at p99 the largest stage is produce: 20.015 ms"
                + " (produce 20.015 ms, publish ")).contains("  produce grows with: " + Stage.PRODUCE.usualCausesBySystem().get("kafka"));
        Verdict mean = Slo.parse("mean < 10ms").evaluate(new Run("kafka", "kafka").send(100, 1_000, 5_000, 2_000).report());
        assertThat(mean.stageAtFault()).as("by the mean").contains("catch-up");
        assertThat(mean.message()).contains("\n  in the mean the largest stage is catch-up: 5.002 ms (produce 1 ms, ");
    }

    @ParameterizedTest(name = "[{index}] {0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            kafka    | p99 < 10ms          | PRODUCE
            kafka    | fetch.p99 < 100us   | FETCH
            kafka    | commit.max < 100us  | COMMIT
            kafka    | catch-up.p99 < 1ms  | CATCH_UP
            kafka    | publish.p99 < 100us | PUBLISH
            pulsar   | p99 < 10ms          | PRODUCE
            pulsar   | fetch.p99 < 100us   | FETCH
            pulsar   | commit.max < 100us  | COMMIT
            rabbitmq | p99 < 10ms          | PRODUCE
            rabbitmq | fetch.p99 < 100us   | FETCH
            rabbitmq | catch-up.p99 < 1ms  | CATCH_UP
            """)
    void aViolationListsTheCausesOfTheSystemMeasuredOnly(String system, String objective, Stage stage) {
        LatencyReport report = produceIsLargest(system);
        assertThat(report.systems()).containsExactly(system);
        String message = Slo.parse(objective).evaluate(report).message();
        assertThat(message).contains("\n  " + stage.label() + " grows with: " + stage.usualCausesBySystem().get(system));
        KNOBS.forEach((other, knobs) -> {
            if (!other.equals(system)) {
                assertThat(message).as("a " + system + " run").doesNotContain(knobs).doesNotContain(other + ":");
            }
        });
    }

    @Test
    void withoutTheSystemEverySystemsCausesAreListedLabelled() {
        Verdict v = Slo.parse("fetch.p99 < 100us").evaluate(produceIsLargest("a-system-the-library-does-not-know"));
        assertThat(v.message()).endsWith("\n  fetch grows with (the report does not say which system it measured):"
                + "\n    kafka: " + Stage.FETCH.usualCausesBySystem().get("kafka")
                + "\n    pulsar: " + Stage.FETCH.usualCausesBySystem().get("pulsar")
                + "\n    rabbitmq: " + Stage.FETCH.usualCausesBySystem().get("rabbitmq"));
    }

    @Test
    void aRunOnTwoSystemsListsTheirCausesLabelled() {
        LatencyReport report = new Run("kafka", "rabbitmq").send(100, 20_000, 5_000, 2_000).report();
        Verdict v = Slo.parse("p99 < 10ms").evaluate(report);
        assertThat(v.message()).endsWith("\n  produce grows with:"
                + "\n    kafka: " + Stage.PRODUCE.usualCausesBySystem().get("kafka")
                + "\n    rabbitmq: " + Stage.PRODUCE.usualCausesBySystem().get("rabbitmq"));
        assertThat(v.message()).doesNotContain(KNOBS.get("pulsar"));
    }

    @Test
    void aWindowedObjectiveExplainsTheSameWay() {
        Run run = new Run("kafka", "kafka");
        List<Verdict> verdicts;
        try (SloCheck check = SloCheck.start(run.recorder, Slo.parseAll("fetch.p99 < 100us in every 10s window"))) {
            run.send(5, 20_000, 5_000, 2_000);
            verdicts = check.finish();   // closes the window the messages are in
        }
        String message = verdicts.get(0).message();
        assertThat(message).startsWith("SLO violated in 1 of 1 windows, worst shown: fetch.p99 < 100us in every 10s window")
                .contains("\n  fetch at p99: 2 ms over 5 messages (the other stages: produce 20.015 ms, ")
                .contains("\n  fetch grows with: " + Stage.FETCH.usualCausesBySystem().get("kafka"))
                .doesNotContain("largest");
        KNOBS.get("pulsar").forEach(k -> assertThat(message).doesNotContain(k));
        KNOBS.get("rabbitmq").forEach(k -> assertThat(message).doesNotContain(k));
    }

    @Test
    void everyStageHasCausesForEverySystemAndNoneNamesAnotherSystemsKnobs() {
        for (Stage stage : Stage.values()) {
            assertThat(stage.usualCausesBySystem()).containsOnlyKeys("kafka", "pulsar", "rabbitmq");
            stage.usualCausesBySystem().forEach((system, causes) -> {
                assertThat(causes).isNotBlank();
                KNOBS.forEach((other, knobs) -> {
                    if (!other.equals(system)) {
                        assertThat(causes).as(stage.label() + " on " + system).doesNotContain(knobs);
                    }
                });
            });
            assertThat(stage.usualCauses()).isEqualTo(Arrays.stream(new String[] {"kafka", "pulsar", "rabbitmq"})
                    .map(s -> s + ": " + stage.usualCausesBySystem().get(s)).reduce((a, b) -> a + "; " + b).orElseThrow());
        }
    }
}
