package io.latencylib.kafka.junit;

import static io.latencylib.junit.LatencyAssertions.assertThat;
import static io.latencylib.junit.LatencyAssertions.assertThatThrownBy;

import io.latencylib.junit.LatencySloExtension;
import io.latencylib.LatencyReport;
import io.latencylib.kafka.KafkaLatency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a {@link KafkaSession} hands out, against the real embedded broker. */
@ExtendWith(LatencySloExtension.class)
class LatencySessionTest {

    @Test
    void newTopicsAreFreshLogAppendTimeTopicsWithTheirLeadersElected(KafkaSession kafka) throws Exception {
        String one = kafka.newTopic();
        String three = kafka.newTopic(3);

        assertThat(one).isNotEqualTo(three).startsWith("latency-newTopics");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            assertThat(KafkaLatency.usesLogAppendTime(admin, one)).isTrue();
            assertThat(KafkaLatency.usesLogAppendTime(admin, three)).isTrue();
            assertThat(admin.describeTopics(Set.of(three)).allTopicNames().get().get(three).partitions()).hasSize(3);
        }
    }

    @Test
    void clientsWithYourSerdesAndSettingsAreWrappedWithTheTestsRecorder(KafkaSession kafka) throws Exception {
        String topic = kafka.newTopic(2);
        Consumer<String, String> consumer = kafka.consumerOf(topic, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 7),
                new StringDeserializer(), new StringDeserializer());
        // acks=1: the acknowledgement is not a commit, so the report merges commit+catch-up+fetch
        Producer<String, String> producer = kafka.producer(Map.of(ProducerConfig.ACKS_CONFIG, "1"),
                new StringSerializer(), new StringSerializer());
        for (int i = 0; i < 20; i++) {
            producer.send(new ProducerRecord<>(topic, "k" + i, "order-" + i));
        }
        producer.flush();
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (values.size() < 20 && System.nanoTime() < deadline) {
            var records = consumer.poll(Duration.ofMillis(100));
            assertThat(records.count()).isLessThanOrEqualTo(7);
            records.forEach(r -> values.add(r.value()));
        }

        assertThat(values).hasSize(20).contains("order-0", "order-19");
        assertThat(kafka.report()).hasReceived(20);
        assertThat(kafka.report().mergedStages()).contains("commit+catch-up+fetch");
    }

    @Test
    void clientsYouMakeYourselfAreWrappedAndStayYours(KafkaSession kafka) throws Exception {
        String topic = kafka.newTopic();
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "mine", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (Producer<String, String> producer = kafka.wrap(new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer()));
             Consumer<String, String> consumer = kafka.wrap(new KafkaConsumer<>(c, new StringDeserializer(),
                     new StringDeserializer()))) {
            consumer.subscribe(List.of(topic));
            producer.send(new ProducerRecord<>(topic, "hello")).get();
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(got::add);
            }
            assertThat(got).extracting(ConsumerRecord::value).containsExactly("hello");
        }
        assertThat(kafka.report()).hasReceived(1).hasNoLoss();
    }

    @Test
    void producersAreConnectedBeforeTheyAreHandedOutAndThatIsNotMeasured(KafkaSession kafka) throws Exception {
        String topic = kafka.newTopic();
        Producer<byte[], byte[]> producer = kafka.producer();

        assertThat(metric(producer, "connection-count")).as("connections of the producer").isGreaterThanOrEqualTo(1.0);
        assertThat(metric(producer, "record-send-total")).as("records it sent to connect").isEqualTo(1.0);
        LatencyReport.Counts none = kafka.report().counts();
        assertThat(none.sent() + none.unstamped() + none.received()).isZero();

        String later = kafka.newTopic(2);
        producer.send(new ProducerRecord<>(later, new byte[10])).get();
        assertThat(kafka.report().counts().sent()).isEqualTo(1);
        assertThat(topic).isNotEqualTo(later);
    }

    private static double metric(Producer<?, ?> producer, String name) {
        return producer.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst().orElseThrow();
    }

    @Test
    void aConsumerOfAMissingTopicIsRefusedClearly(KafkaSession kafka) {
        assertThatThrownBy(() -> kafka.consumerOf("no-such-topic-" + System.nanoTime(), Map.of(
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false), new StringDeserializer(), new StringDeserializer()))
                .hasMessageContaining("has no partitions").hasMessageContaining("newTopic()");
    }
}
