package io.latencylib.pulsar;

import static io.latencylib.pulsar.PulsarTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.MessageLatency;
import io.latencylib.Stage;
import io.latencylib.pulsar.embedded.EmbeddedPulsar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Acceptance 1 of the Pulsar issue, on a real embedded Pulsar. */
@ExtendWith(PulsarTestSupport.class)
class PulsarEndToEndTest {

    private static final int COUNT = 10_000;

    @Test
    void tenThousandMessagesSyncAndAsyncBatchedAndUnbatchedAreAllJoinedAndEachSplitSumsToItsEndToEnd() throws Exception {
        String topic = newPartitionedTopic("e2e", 3);
        ConcurrentLinkedQueue<MessageLatency> messages = new ConcurrentLinkedQueue<>();
        LatencyRecorder recorder = LatencyRecorder.builder().messageListener(messages::add).build();
        Consumer<byte[]> consumer = PulsarLatency.wrap(rawConsumer(client(), topic), recorder);
        try (var background = new BackgroundConsumer(consumer, COUNT, Duration.ofSeconds(90), m -> { }).awaitReceiving();
             Producer<byte[]> batched = PulsarLatency.wrap(client().newProducer(Schema.BYTES).topic(topic)
                     .enableBatching(true).create(), recorder);
             Producer<byte[]> unbatched = PulsarLatency.wrap(client().newProducer(Schema.BYTES).topic(topic)
                     .enableBatching(false).create(), recorder)) {
            byte[] payload = new byte[1024];
            List<CompletableFuture<MessageId>> futures = new ArrayList<>();
            int syncSent = 0;
            for (int i = 0; i < COUNT; i++) {
                Producer<byte[]> producer = i % 2 == 0 ? batched : unbatched;
                // one sync send in ten: the rest async, which is what fills batches
                if (i % 10 < 2) {
                    assertThat(producer.send(payload)).isNotNull();
                    syncSent++;
                } else {
                    futures.add(producer.sendAsync(payload.clone()));
                }
            }
            batched.flush();
            unbatched.flush();
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(syncSent).isEqualTo(COUNT / 5);
            assertThat(background.await(Duration.ofSeconds(90))).hasSize(COUNT);
        }
        LatencyReport report = recorder.report();
        System.out.println(report.toTable());
        LatencyReport.Counts c = report.counts();
        assertThat(c.sent()).isEqualTo(COUNT);
        assertThat(c.acked()).isEqualTo(COUNT);
        assertThat(c.received()).isEqualTo(COUNT);
        assertThat(c.joined()).isEqualTo(COUNT);
        assertThat(c.lost()).isZero();
        assertThat(c.duplicated()).isZero();
        assertThat(c.reordered()).isZero();
        assertThat(c.unstamped()).isZero();
        assertThat(c.sendErrors()).isZero();
        assertThat(c.inFlight()).isZero();
        assertThat(report.mergedStages()).isEmpty();
        assertThat(report.endToEnd().count()).isEqualTo(COUNT);
        for (Stage s : Stage.values()) {
            assertThat(report.stage(s)).as(s.label()).hasValueSatisfying(st -> assertThat(st.count()).isEqualTo(COUNT));
        }
        assertThat(messages).hasSize(COUNT);
        for (MessageLatency m : messages) {
            long sum = 0;
            for (Stage s : Stage.values()) {
                assertThat(m.stageMicros(s)).as("%s of %s", s, m).isNotNegative();
                sum += m.stageMicros(s);
            }
            assertThat(sum).as("sum of stages of %s", m).isEqualTo(m.endToEndMicros());
        }
        // one machine, one clock: the offset bounds the broker's publish times imply contain zero
        var bounds = report.clockOffsetBounds().orElseThrow();
        assertThat(bounds.lowerMicros()).isLessThanOrEqualTo(1_000);
        assertThat(bounds.upperMicros()).isGreaterThanOrEqualTo(-1_000);
    }

    @Test
    void withoutBrokerPublishTimePublishAndCommitAreReportedMergedAndTheReportSaysWhy() throws Exception {
        EmbeddedPulsar plain = variant("no-broker-time", b -> b.brokerTimestamps(false));
        assertThat(plain.brokerTimestamps()).isFalse();
        PulsarClient client = variantClient("no-broker-time");
        String topic = newTopic("no-broker-time");
        LatencyRecorder recorder = LatencyRecorder.create();
        Consumer<byte[]> consumer = PulsarLatency.wrap(rawConsumer(client, topic), recorder);
        try (var background = new BackgroundConsumer(consumer, 200, Duration.ofSeconds(30), m -> { }).awaitReceiving();
             Producer<byte[]> producer = PulsarLatency.wrap(client.newProducer(Schema.BYTES).topic(topic).create(),
                     recorder)) {
            sendPaced(producer, 200, 1_000, 100);
            assertThat(background.await(Duration.ofSeconds(30))).hasSize(200);
        }
        LatencyReport report = recorder.report();
        System.out.println(report.toTable());
        assertThat(report.counts().joined()).isEqualTo(200);
        assertThat(report.mergedStages()).containsExactly("publish+commit");
        assertThat(report.stage(Stage.PUBLISH)).isEmpty();
        assertThat(report.stage(Stage.PRODUCE)).isPresent();
        assertThat(report.stage(Stage.CATCH_UP)).isPresent();
        assertThat(report.stage(Stage.FETCH)).isPresent();
        assertThat(report.notes()).anyMatch(n -> n.contains(topic) && n.contains("no broker publish time")
                && n.contains("exposingBrokerEntryMetadataToClientEnabled"));
        assertThat(report.toTable()).contains("publish+commit");
    }
}
