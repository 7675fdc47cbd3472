package io.latencylib.kafka;

import static io.latencylib.kafka.KafkaTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.MessageLatency;
import io.latencylib.Stage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Acceptance 1 and 5 of the foundation issue, on a real embedded broker. */
@ExtendWith(KafkaTestSupport.class)
class KafkaEndToEndTest {

    @Test
    void tenThousandMessagesAreAllJoinedAndEachSplitSumsExactlyToItsEndToEnd() throws Exception {
        String topic = newTopic("e2e", 3, false);
        ConcurrentLinkedQueue<MessageLatency> messages = new ConcurrentLinkedQueue<>();
        LatencyRecorder recorder = LatencyRecorder.builder().messageListener(messages::add).build();
        Consumer<byte[], byte[]> consumer = KafkaLatency.wrap(rawConsumer(consumerConfig(), topic, 3), recorder);
        try (var background = new BackgroundConsumer(consumer, 10_000, Duration.ofSeconds(60), r -> { }).awaitPolling();
             Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(producerConfig("all", 5)), recorder)) {
            byte[] payload = new byte[1024];
            for (int i = 0; i < 10_000; i++) {
                producer.send(new ProducerRecord<>(topic, Integer.toString(i).getBytes(), payload));
            }
            producer.flush();
            assertThat(background.await(Duration.ofSeconds(60))).hasSize(10_000);
        }
        LatencyReport report = recorder.report();
        System.out.println(report.toTable());
        LatencyReport.Counts c = report.counts();
        assertThat(c.sent()).isEqualTo(10_000);
        assertThat(c.received()).isEqualTo(10_000);
        assertThat(c.joined()).isEqualTo(10_000);
        assertThat(c.lost()).isZero();
        assertThat(c.duplicated()).isZero();
        assertThat(c.reordered()).isZero();
        assertThat(c.unstamped()).isZero();
        assertThat(c.inFlight()).isZero();
        assertThat(report.mergedStages()).isEmpty();
        assertThat(report.endToEnd().count()).isEqualTo(10_000);
        for (Stage s : Stage.values()) {
            assertThat(report.stage(s)).as(s.label()).hasValueSatisfying(st -> assertThat(st.count()).isEqualTo(10_000));
        }
        assertThat(messages).hasSize(10_000);
        for (MessageLatency m : messages) {
            long sum = 0;
            for (Stage s : Stage.values()) {
                assertThat(m.stageMicros(s)).as("%s of %s", s, m).isNotNegative();
                sum += m.stageMicros(s);
            }
            assertThat(sum).as("sum of stages of %s", m).isEqualTo(m.endToEndMicros());
        }
        // on one machine the broker and the client share a clock: the offset bounds contain zero
        var bounds = report.clockOffsetBounds().orElseThrow();
        assertThat(bounds.lowerMicros()).isLessThanOrEqualTo(0);
        assertThat(bounds.upperMicros()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aCreateTimeTopicIsReportedWithPublishAndCommitMerged() throws Exception {
        String topic = newTopic("createtime", 1, true);
        LatencyReport report = run(topic, "all");
        assertThat(report.mergedStages()).containsExactly("publish+commit");
        assertThat(report.stage(Stage.PUBLISH)).isEmpty();
        assertThat(report.stage(Stage.PRODUCE)).isPresent();
        assertThat(report.stage(Stage.FETCH)).isPresent();
        assertThat(report.notes()).anyMatch(n -> n.contains(topic) && n.contains("CreateTime")
                && n.contains("publish and commit are reported merged"));
        assertThat(report.toTable()).contains("publish+commit");
    }

    @Test
    void acksOneIsReportedWithoutACommitBoundary() throws Exception {
        String topic = newTopic("acks1", 1, false);
        LatencyReport report = run(topic, "1");
        assertThat(report.mergedStages()).containsExactly("commit+catch-up+fetch");
        assertThat(report.stage(Stage.COMMIT)).isEmpty();
        assertThat(report.stage(Stage.PUBLISH)).isPresent();
        assertThat(report.notes()).anyMatch(n -> n.contains("acks=1") && n.contains("commit is reported merged"));
    }

    private static LatencyReport run(String topic, String acks) throws Exception {
        LatencyRecorder recorder = LatencyRecorder.create();
        Consumer<byte[], byte[]> consumer = KafkaLatency.wrap(rawConsumer(consumerConfig(), topic, 1), recorder);
        try (var background = new BackgroundConsumer(consumer, 200, Duration.ofSeconds(30), r -> { }).awaitPolling();
             Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(producerConfig(acks, 1)), recorder)) {
            sendPaced(producer, topic, 200, 1000, 100);
            List<?> got = background.await(Duration.ofSeconds(30));
            assertThat(got).hasSize(200);
        }
        LatencyReport report = recorder.report();
        assertThat(report.counts().joined()).isEqualTo(200);
        return report;
    }
}
