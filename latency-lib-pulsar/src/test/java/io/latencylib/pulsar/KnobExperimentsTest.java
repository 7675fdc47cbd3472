package io.latencylib.pulsar;

import static io.latencylib.pulsar.PulsarTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.ProducerBuilder;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Acceptance 2: each knob moves its own stage and leaves the others roughly where they were, against
 * a baseline run in the same class. Async sends of 1 KiB at 200 msg/s (a low rate: batches of one by
 * default). The consumer receives with {@code batchReceive} (1 ms timeout), Pulsar's poll: the
 * messages one broker dispatch delivers share one ready instant. (With one-message {@code receive()}
 * calls the latency model's ready instant, the start of the call that returned the message, puts a
 * broker-side dispatch delay into catch-up for every message but the first of a dispatch; see the
 * module README.) Margins are wide: this machine has 2 noisy cores.
 */
@ExtendWith(PulsarTestSupport.class)
class KnobExperimentsTest {

    private static final int RATE = 200;
    private static final int COUNT = 600;            // 3 s at 200 msg/s
    /** How far a stage that should not move may move, at p50. */
    private static final double STILL_MS = 10;

    private static LatencyReport baseline;

    @BeforeAll
    static void warmUpAndBaseline() throws Exception {
        run(client(), b -> b, Duration.ZERO); // the first run of a JVM is slower everywhere (JIT, broker caches)
        baseline = run(client(), b -> b, Duration.ZERO);
    }

    @Test
    void batchingMaxPublishDelayGrowsProduceOnly() throws Exception {
        LatencyReport delayed = run(client(), b -> b.batchingMaxPublishDelay(50, TimeUnit.MILLISECONDS), Duration.ZERO);

        // the first message of a batch waits the whole delay, later ones less
        // (upper bounds are loose: one stall of this shared machine lands in a p99 of 600 messages)
        assertThat(ms(delayed, Stage.PRODUCE, 99)).isBetween(35.0, 120.0);
        assertThat(ms(delayed, Stage.PRODUCE, 50)).isBetween(12.0, 45.0);
        assertThat(ms(baseline, Stage.PRODUCE, 50)).isLessThan(5.0);
        assertThat(ms(delayed, null, 50) - ms(baseline, null, 50)).as("end-to-end p50 grows").isGreaterThan(12.0);
        assertStill(delayed, Stage.PUBLISH, Stage.COMMIT, Stage.CATCH_UP, Stage.FETCH);
    }

    @Test
    void aSlowConsumerGrowsCatchUpOnly() throws Exception {
        // 8 ms per message at 200 msg/s: the consumer takes 125 msg/s and falls behind
        LatencyReport slow = run(client(), b -> b, Duration.ofMillis(8));

        assertThat(ms(slow, Stage.CATCH_UP, 50) - ms(baseline, Stage.CATCH_UP, 50)).isGreaterThan(200.0);
        assertThat(ms(slow, Stage.CATCH_UP, 99)).isGreaterThan(ms(slow, Stage.CATCH_UP, 50));
        assertStill(slow, Stage.PRODUCE, Stage.PUBLISH);
    }

    @Test
    void aLongerNewEntriesCheckDelayOnTheBrokerGrowsFetchOnly() throws Exception {
        // the dispatcher that found no new entry looks again only after the delay: a message arriving
        // meanwhile waits for the rest of it (p99 near the delay, p50 about half)
        variant("check-delay-50", b -> b.brokerProperty("managedLedgerNewEntriesCheckDelayInMillis", "50"));
        PulsarClient client = variantClient("check-delay-50");
        run(client, b -> b, Duration.ZERO); // warm up that JVM too
        LatencyReport delayed = run(client, b -> b, Duration.ZERO);

        assertThat(ms(delayed, Stage.FETCH, 99)).isBetween(35.0, 150.0);
        assertThat(ms(delayed, Stage.FETCH, 50)).isBetween(12.0, 45.0);
        assertThat(ms(delayed, Stage.FETCH, 50) - ms(baseline, Stage.FETCH, 50)).isGreaterThan(8.0);
        assertStill(delayed, Stage.PRODUCE, Stage.PUBLISH, Stage.COMMIT, Stage.CATCH_UP);
    }

    /** One paced run of {@value COUNT} 1 KiB messages at {@value RATE} msg/s through wrapped clients. */
    private static LatencyReport run(PulsarClient client, UnaryOperator<ProducerBuilder<byte[]>> producerSettings,
                                     Duration handling) throws Exception {
        String topic = newTopic("knob");
        LatencyRecorder recorder = LatencyRecorder.create();
        Consumer<byte[]> consumer = PulsarLatency.wrap(rawBatchConsumer(client, topic), recorder);
        try (var background = new BackgroundConsumer(consumer, COUNT, Duration.ofSeconds(60), m -> {
            if (!handling.isZero()) {
                busyFor(handling);
            }
        }, true).awaitReceiving();
             Producer<byte[]> producer = PulsarLatency.wrap(
                     producerSettings.apply(client.newProducer(Schema.BYTES).topic(topic)).create(), recorder)) {
            sendPaced(producer, COUNT, RATE, 1024);
            assertThat(background.await(Duration.ofSeconds(60))).hasSize(COUNT);
        }
        LatencyReport report = recorder.report();
        System.out.println(topic + " / handling " + handling + "\n" + report.toTable());
        assertThat(report.counts().joined()).isEqualTo(COUNT);
        assertThat(report.mergedStages()).isEmpty();
        return report;
    }

    private static double ms(LatencyReport r, Stage stage, double percentile) {
        var stats = stage == null ? r.endToEnd() : r.stage(stage).orElseThrow();
        return stats.percentile(percentile).toNanos() / 1e6;
    }

    private static void assertStill(LatencyReport changed, Stage... stages) {
        for (Stage s : stages) {
            assertThat(ms(changed, s, 50)).as("%s p50 stays where it was", s.label())
                    .isCloseTo(ms(baseline, s, 50), org.assertj.core.data.Offset.offset(STILL_MS));
        }
    }
}
