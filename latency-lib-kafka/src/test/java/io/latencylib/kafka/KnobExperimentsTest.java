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
