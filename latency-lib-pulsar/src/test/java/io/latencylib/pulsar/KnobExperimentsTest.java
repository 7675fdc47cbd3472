package io.latencylib.pulsar;

import static io.latencylib.pulsar.PulsarTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.embedded.LinkDelay;
import java.net.URI;
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
 * default). The first three knobs' consumer receives with {@code batchReceive} (1 ms timeout), Pulsar's
 * poll; the last two with one-message {@code receive()}, which hands out one call at a time what
 * arrived together: catch-up is the consumer's busy time, so a wait for the broker stays fetch however
 * the client hands the messages out. Margins are wide: this machine has 2 noisy cores.
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

    /**
     * The broker holds messages back while the consumer is idle and asking (the dispatcher looks for new
     * entries every 50 ms), then delivers them together, and one-message {@code receive()} hands them out
     * one call at a time. The consumer was waiting all along: the wait is fetch, as with
     * {@code batchReceive} on the same broker, and catch-up stays near zero (the busy time between two
     * calls is microseconds). Baseline: {@code receive()} on the run's broker (checks every 10 ms).
     */
    @Test
    void whatTheBrokerHeldBackIsFetchAlsoWhenReceiveHandsItOutOneAtATime() throws Exception {
        variant("check-delay-50", b -> b.brokerProperty("managedLedgerNewEntriesCheckDelayInMillis", "50"));
        PulsarClient client = variantClient("check-delay-50");
        LatencyReport base = run(client(), client(), b -> b, Duration.ZERO, false);
        run(client, client, b -> b, Duration.ZERO, false); // warm up that JVM too
        LatencyReport received = run(client, client, b -> b, Duration.ZERO, false);
        LatencyReport batches = run(client, client, b -> b, Duration.ZERO, true);
        print("receive() on the run's broker", base, "receive() on the 50 ms broker", received,
                "batchReceive() on the 50 ms broker", batches);

        assertThat(ms(received, Stage.FETCH, 50)).isBetween(12.0, 45.0);
        // (no upper bound at p99: one stall of this shared machine lands in a p99 of 600 messages)
        assertThat(ms(received, Stage.FETCH, 99)).isGreaterThan(35.0);
        assertThat(ms(received, Stage.FETCH, 50) - ms(base, Stage.FETCH, 50)).isGreaterThan(8.0);
        assertThat(ms(received, Stage.FETCH, 50)).as("fetch however the client hands the messages out")
                .isCloseTo(ms(batches, Stage.FETCH, 50), org.assertj.core.data.Offset.offset(STILL_MS));
        assertThat(ms(received, Stage.CATCH_UP, 50)).as("catch-up p50 of receive()").isLessThan(2.0);
        assertThat(ms(base, Stage.CATCH_UP, 50)).as("catch-up p50 of receive(), baseline").isLessThan(2.0);
        assertStill(base, received, Stage.PRODUCE, Stage.PUBLISH, Stage.COMMIT);
    }

    /**
     * A delaying proxy on the broker-to-consumer link ({@link LinkDelay}, 20 ms) at 200 msg/s: every
     * message reaches the idle, asking consumer 20 ms later, so fetch p50 grows by about the delay;
     * catch-up stays near zero, and produce, publish and commit (the producer talks to the broker
     * directly) stay where they were. The consumer's client has the proxy as its service URL; the
     * standalone, on a loopback address, tells clients to connect through their service URL, so the
     * consumer's whole connection passes the proxy (see latency-lib-pulsar-embedded's README). The
     * baseline goes through the same proxy without delay.
     */
    @Test
    void aDelayOnTheLinkFromTheBrokerToTheConsumerGrowsFetchOnly() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(userBroker(), "a broker was given (latency.pulsar.url): a"
                + " client sent through a proxy in front of it may be redirected past the proxy");
        URI broker = URI.create(serviceUrl());
        try (LinkDelay link = LinkDelay.to(broker.getHost(), broker.getPort());
             PulsarClient consumerClient = newClient("pulsar://" + link.address())) {
            run(client(), consumerClient, b -> b, Duration.ZERO, false); // warm up the proxy's connection
            LatencyReport direct = run(client(), consumerClient, b -> b, Duration.ZERO, false);
            link.delayToClient(Duration.ofMillis(20));
            LatencyReport delayed = run(client(), consumerClient, b -> b, Duration.ZERO, false);
            print("through the proxy, no delay", direct, "through the proxy, 20 ms to the consumer", delayed);

            assertThat(ms(delayed, Stage.FETCH, 50) - ms(direct, Stage.FETCH, 50)).as("fetch p50 grows by the delay")
                    .isBetween(14.0, 30.0);
            assertThat(ms(delayed, Stage.CATCH_UP, 50)).as("catch-up p50").isLessThan(2.0);
            assertThat(ms(delayed, null, 50) - ms(direct, null, 50)).as("end-to-end p50 grows by the delay")
                    .isBetween(14.0, 30.0);
            assertStill(direct, delayed, Stage.PRODUCE, Stage.PUBLISH, Stage.COMMIT, Stage.CATCH_UP);
        }
    }

    /** One paced run of {@value COUNT} 1 KiB messages at {@value RATE} msg/s through wrapped clients. */
    private static LatencyReport run(PulsarClient client, UnaryOperator<ProducerBuilder<byte[]>> producerSettings,
                                     Duration handling) throws Exception {
        return run(client, client, producerSettings, handling, true);
    }

    /**
     * One paced run of {@value COUNT} 1 KiB messages at {@value RATE} msg/s through wrapped clients.
     *
     * @param batches {@code batchReceive} (1 ms timeout) when true, one-message {@code receive(timeout)} when false
     */
    private static LatencyReport run(PulsarClient producerClient, PulsarClient consumerClient,
                                     UnaryOperator<ProducerBuilder<byte[]>> producerSettings, Duration handling,
                                     boolean batches) throws Exception {
        String topic = newTopic("knob");
        LatencyRecorder recorder = LatencyRecorder.create();
        Consumer<byte[]> consumer = PulsarLatency.wrap(batches ? rawBatchConsumer(consumerClient, topic)
                : rawConsumer(consumerClient, topic), recorder);
        try (var background = new BackgroundConsumer(consumer, COUNT, Duration.ofSeconds(60), m -> {
            if (!handling.isZero()) {
                busyFor(handling);
            }
        }, batches).awaitReceiving();
             Producer<byte[]> producer = PulsarLatency.wrap(
                     producerSettings.apply(producerClient.newProducer(Schema.BYTES).topic(topic)).create(), recorder)) {
            sendPaced(producer, COUNT, RATE, 1024);
            assertThat(background.await(Duration.ofSeconds(60))).hasSize(COUNT);
        }
        LatencyReport report = recorder.report();
        System.out.println(topic + " / handling " + handling + (batches ? " / batchReceive" : " / receive") + "\n"
                + report.toTable());
        assertThat(report.counts().joined()).isEqualTo(COUNT);
        assertThat(report.mergedStages()).isEmpty();
        return report;
    }

    private static double ms(LatencyReport r, Stage stage, double percentile) {
        var stats = stage == null ? r.endToEnd() : r.stage(stage).orElseThrow();
        return stats.percentile(percentile).toNanos() / 1e6;
    }

    private static void assertStill(LatencyReport changed, Stage... stages) {
        assertStill(baseline, changed, stages);
    }

    private static void assertStill(LatencyReport base, LatencyReport changed, Stage... stages) {
        for (Stage s : stages) {
            assertThat(ms(changed, s, 50)).as("%s p50 stays where it was", s.label())
                    .isCloseTo(ms(base, s, 50), org.assertj.core.data.Offset.offset(STILL_MS));
        }
    }

    /** Prints the p50 and p99 of each stage of the reports, labelled, side by side. */
    private static void print(Object... labelsAndReports) {
        StringBuilder b = new StringBuilder(String.format("%-44s", "p50 / p99 (ms)"));
        for (Stage s : Stage.values()) {
            b.append(String.format("%18s", s.label()));
        }
        b.append(String.format("%18s%n", "end-to-end"));
        for (int i = 0; i < labelsAndReports.length; i += 2) {
            LatencyReport r = (LatencyReport) labelsAndReports[i + 1];
            b.append(String.format("%-44s", labelsAndReports[i]));
            for (Stage s : Stage.values()) {
                b.append(String.format("%18s", String.format("%.2f / %.2f", ms(r, s, 50), ms(r, s, 99))));
            }
            b.append(String.format("%18s%n", String.format("%.2f / %.2f", ms(r, null, 50), ms(r, null, 99))));
        }
        System.out.print(b);
    }
}
