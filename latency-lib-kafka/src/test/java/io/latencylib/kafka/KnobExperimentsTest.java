package io.latencylib.kafka;

import static io.latencylib.kafka.KafkaTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.slo.Slo;
import io.latencylib.slo.Verdict;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The experiments that prove the split right (latency model, "What proves the split right"): each
 * knob moves its own stage by about the expected amount and leaves the others where they were,
 * against a baseline run in the same test. Margins are wide: these machines have 2 noisy cores.
 */
@ExtendWith(KafkaTestSupport.class)
class KnobExperimentsTest {

    private static final int RATE = 200;
    private static final int COUNT = 600;            // 3 s at 200 msg/s
    /** How far a stage that should not move may move, at p50. */
    private static final Duration STILL = Duration.ofMillis(10);

    /** The first run of a JVM is slower everywhere (JIT, broker caches): keep it out of the comparisons. */
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() throws Exception {
        run(producerConfig("all", 0), consumerConfig(), Duration.ZERO);
    }

    @Test
    void lingerGrowsProduceOnly() throws Exception {
        LatencyReport baseline = run(producerConfig("all", 0), consumerConfig(), Duration.ZERO);
        LatencyReport lingering = run(producerConfig("all", 50), consumerConfig(), Duration.ZERO);

        // the first message of a batch waits the whole linger, later ones less
        assertThat(ms(lingering, Stage.PRODUCE, 99)).isBetween(40.0, 80.0);
        assertThat(ms(lingering, Stage.PRODUCE, 50) - ms(baseline, Stage.PRODUCE, 50)).isBetween(15.0, 40.0);
        assertThat(ms(lingering, null, 50) - ms(baseline, null, 50)).as("end-to-end p50 grows").isGreaterThan(15.0);
        assertStill(baseline, lingering, Stage.PUBLISH, Stage.COMMIT, Stage.CATCH_UP, Stage.FETCH);

        // an SLO the linger breaks names produce as the stage where the time went
        Verdict verdict = Slo.parse("p99 < 30ms").evaluate(lingering);
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.message()).contains("at p99 the largest stage is produce").contains("linger.ms");
    }

    @Test
    void aSlowConsumerGrowsCatchUpOnly() throws Exception {
        LatencyReport baseline = run(producerConfig("all", 0), consumerConfig(), Duration.ZERO);
        // 8 ms per message at 200 msg/s: the consumer can take 125 msg/s and falls behind
        LatencyReport slow = run(producerConfig("all", 0), consumerConfig(), Duration.ofMillis(8));

        assertThat(ms(slow, Stage.CATCH_UP, 50) - ms(baseline, Stage.CATCH_UP, 50)).isGreaterThan(200.0);
        assertThat(ms(slow, Stage.CATCH_UP, 99)).isGreaterThan(ms(slow, Stage.CATCH_UP, 50));
        assertStill(baseline, slow, Stage.PRODUCE, Stage.PUBLISH);

        // an SLO the slow consumer breaks names catch-up as the stage where the time went
        Verdict verdict = Slo.parse("p99 < 100ms").evaluate(slow);
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.message()).contains("at p99 the largest stage is catch-up")
                .contains("a consumer that falls behind");
    }

    @Test
    void fetchMinBytesWithAWaitGrowsFetchOnly() throws Exception {
        LatencyReport baseline = run(producerConfig("all", 0), consumerConfig(), Duration.ZERO);
        Map<String, Object> waiting = consumerConfig();
        waiting.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 10 * 1024 * 1024);
        waiting.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 300);
        LatencyReport fetching = run(producerConfig("all", 0), waiting, Duration.ZERO);

        // a message waits for the rest of the broker's 300 ms window: p99 near the wait, p50 about half
        assertThat(ms(fetching, Stage.FETCH, 99)).isBetween(220.0, 360.0);
        assertThat(ms(fetching, Stage.FETCH, 50)).isBetween(90.0, 230.0);
        assertThat(ms(fetching, Stage.FETCH, 50) - ms(baseline, Stage.FETCH, 50)).isGreaterThan(80.0);
        assertStill(baseline, fetching, Stage.PRODUCE, Stage.PUBLISH, Stage.COMMIT, Stage.CATCH_UP);
    }

    @Test
    void messagesLateOnTheirWayToAnIdleConsumerGrowFetchNotCatchUp() throws Exception {
        // the consumer reaches the broker only through a proxy; the baseline goes through it too, undelayed
        Map<String, Object> proxied = consumerConfig();
        proxied.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, proxiedBootstrap());
        link().delayToClient(Duration.ZERO);
        LatencyReport baseline = run(producerConfig("all", 0), proxied, Duration.ZERO);
        LatencyReport late;
        link().delayToClient(Duration.ofMillis(20));
        try {
            late = run(producerConfig("all", 0), proxied, Duration.ZERO);
        } finally {
            link().delayToClient(Duration.ZERO);
        }
        System.out.printf("broker->consumer delay 20 ms: fetch p50 %.3f -> %.3f ms, catch-up p50 %.3f -> %.3f ms%n",
                ms(baseline, Stage.FETCH, 50), ms(late, Stage.FETCH, 50),
                ms(baseline, Stage.CATCH_UP, 50), ms(late, Stage.CATCH_UP, 50));

        // every response reaches the consumer 20 ms late, and the next request leaves only after it came:
        // a message waits the delay, plus part of the previous round trip; the consumer was asking all along
        assertThat(ms(late, Stage.FETCH, 50) - ms(baseline, Stage.FETCH, 50)).isBetween(10.0, 60.0);
        assertThat(ms(late, Stage.CATCH_UP, 50)).isLessThan(5.0);
        assertThat(ms(baseline, Stage.CATCH_UP, 50)).isLessThan(5.0);
        assertStill(baseline, late, Stage.PRODUCE, Stage.PUBLISH, Stage.COMMIT, Stage.CATCH_UP);
    }

    @Test
    void recordsThatArrivedTogetherHandedOutOnePollAtATimeKeepTheirWaitInFetch() throws Exception {
        // the broker holds records back for up to 200 ms, then they arrive together
        Map<String, Object> waiting = consumerConfig();
        waiting.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 10 * 1024 * 1024);
        waiting.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
        LatencyReport together = run(producerConfig("all", 0), waiting, Duration.ZERO);
        // ... and one poll() hands out one of them: the consumer asks again at once, busy for microseconds
        Map<String, Object> oneByOne = new java.util.HashMap<>(waiting);
        oneByOne.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        LatencyReport single = run(producerConfig("all", 0), oneByOne, Duration.ZERO);
        System.out.printf("fetch.max.wait.ms=200, max.poll.records=500 -> 1: fetch p50 %.3f -> %.3f ms,"
                        + " catch-up p50 %.3f -> %.3f ms, catch-up p99 %.3f -> %.3f ms%n",
                ms(together, Stage.FETCH, 50), ms(single, Stage.FETCH, 50),
                ms(together, Stage.CATCH_UP, 50), ms(single, Stage.CATCH_UP, 50),
                ms(together, Stage.CATCH_UP, 99), ms(single, Stage.CATCH_UP, 99));

        // the wait for the broker stays fetch however the client hands the records out (the rule of "the
        // start of the poll that returned it" called it catch-up: each record's own poll started just before)
        assertThat(ms(single, Stage.FETCH, 50)).isBetween(50.0, 180.0);
        assertThat(ms(single, Stage.FETCH, 50)).isCloseTo(ms(together, Stage.FETCH, 50),
                org.assertj.core.data.Offset.offset(70.0));
        assertThat(ms(single, Stage.CATCH_UP, 50)).isLessThan(5.0);
        assertThat(ms(single, Stage.CATCH_UP, 99)).isLessThan(30.0);
        assertThat(ms(together, Stage.CATCH_UP, 50)).isLessThan(5.0);
    }

    /** One paced run of {@value COUNT} 1 KiB messages at {@value RATE} msg/s through wrapped clients. */
    private static LatencyReport run(Map<String, Object> producerConfig, Map<String, Object> consumerConfig,
                                     Duration handling) throws Exception {
        String topic = newTopic("knob", 1, false);
        LatencyRecorder recorder = LatencyRecorder.create();
        Consumer<byte[], byte[]> consumer = KafkaLatency.wrap(rawConsumer(consumerConfig, topic, 1), recorder);
        try (var background = new BackgroundConsumer(consumer, COUNT, Duration.ofSeconds(60), r -> {
            if (!handling.isZero()) {
                busyFor(handling);
            }
        }).awaitPolling();
             Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(producerConfig), recorder)) {
            sendPaced(producer, topic, COUNT, RATE, 1024);
            assertThat(background.await(Duration.ofSeconds(60))).hasSize(COUNT);
        }
        LatencyReport report = recorder.report();
        System.out.println(producerConfig + " / handling " + handling + "\n" + report.toTable());
        assertThat(report.counts().joined()).isEqualTo(COUNT);
        assertThat(report.mergedStages()).isEmpty();
        return report;
    }

    private static double ms(LatencyReport r, Stage stage, double percentile) {
        var stats = stage == null ? r.endToEnd() : r.stage(stage).orElseThrow();
        return stats.percentile(percentile).toNanos() / 1e6;
    }

    private static void assertStill(LatencyReport baseline, LatencyReport changed, Stage... stages) {
        for (Stage s : stages) {
            assertThat(ms(changed, s, 50)).as("%s p50 stays where it was", s.label())
                    .isCloseTo(ms(baseline, s, 50), org.assertj.core.data.Offset.offset(STILL.toNanos() / 1e6));
        }
    }
}
