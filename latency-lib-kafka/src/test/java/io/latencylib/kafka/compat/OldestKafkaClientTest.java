package io.latencylib.kafka.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import io.latencylib.kafka.KafkaLatency;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Kafka wrappers against the OLDEST kafka-clients the README claims, and a real broker.
 *
 * <p>Runs only in the surefire execution {@code kafka-clients-oldest} of this module's pom, which puts
 * kafka-clients {@code ${kafka.oldest.version}} on the classpath instead of {@code ${kafka.version}}
 * and leaves the broker jars out: the broker runs in a child JVM ({@link ChildJvmKafka}). This class
 * is compiled against the newer client, so methods that only the old client has are called by
 * reflection.
 */
@Tag("kafka-clients-oldest")
class OldestKafkaClientTest {

    private static final int RECORDS = 1_000;
    private static final int PARTITIONS = 3;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void wrappersMeasureAllFiveStagesWithTheOldestClaimedClient() throws Exception {
        String expectedVersion = requiredProperty("latencylib.compat.kafkaClientsVersion");
        assertThat(AppInfoParser.getVersion())
                .as("kafka-clients running this test; the classpath set up by the kafka-clients-oldest execution is wrong")
                .isEqualTo(expectedVersion)
                .startsWith("3.9.");
        List<URL> consumerClasses = Collections.list(getClass().getClassLoader()
                .getResources("org/apache/kafka/clients/consumer/Consumer.class"));
        assertThat(consumerClasses).as("copies of the Consumer interface on the test classpath")
                .singleElement().asString().endsWith("kafka-clients-" + expectedVersion + ".jar!/org/apache/kafka/clients/consumer/Consumer.class");
        assertThatThrownBy(() -> Class.forName("kafka.server.KafkaConfig"))
                .as("the broker must not be on this JVM's classpath")
                .isInstanceOf(ClassNotFoundException.class);

        String brokerClasspath = Files.readString(
                Path.of(requiredProperty("latencylib.compat.brokerClasspathFile")), StandardCharsets.UTF_8).trim();
        assertThat(brokerClasspath).as("broker classpath").contains("kafka_2.13-");
        Path brokerLog = Path.of(System.getProperty("latencylib.compat.brokerLog",
                Path.of(System.getProperty("java.io.tmpdir"), "kafka-clients-oldest-broker.log").toString()));

        long startNanos = System.nanoTime();
        try (ChildJvmKafka broker = ChildJvmKafka.start(brokerClasspath, brokerLog)) {
            long runNanos = System.nanoTime();
            System.out.printf("broker in a child JVM at %s, started in %d ms (log: %s)%n", broker.bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(runNanos - startNanos), brokerLog);
            produceAndConsume(broker.bootstrapServers());
            System.out.printf("topic, produce and consume took %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - runNanos));
        }
    }

    private static void produceAndConsume(String bootstrapServers) throws Exception {
        String topic = "compat-oldest-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            KafkaLatency.ensureLogAppendTime(admin, topic, PARTITIONS, (short) 1);
            assertThat(KafkaLatency.usesLogAppendTime(admin, topic)).isTrue();
        }

        LatencyRecorder recorder = LatencyRecorder.create();
        List<String> consumed = new ArrayList<>();
        try (Producer<String, String> producer = KafkaLatency.wrap(new KafkaProducer<String, String>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                     ProducerConfig.ACKS_CONFIG, "all",
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class)), recorder);
             Consumer<String, String> consumer = KafkaLatency.wrap(new KafkaConsumer<String, String>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                     ConsumerConfig.GROUP_ID_CONFIG, "compat-oldest-" + UUID.randomUUID(),
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                     ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                     ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                     ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class)), recorder)) {
            consumer.subscribe(List.of(topic));
            // the plain wrapper classes cover this client's interfaces too (its 3.x-only methods included): no proxy
            assertThat(producer).isInstanceOf(io.latencylib.kafka.internal.LatencyProducer.class);
            assertThat(consumer).isInstanceOf(io.latencylib.kafka.internal.LatencyConsumer.class);

            // First half: poll(Duration), the API every claimed version has.
            send(producer, topic, 0, RECORDS / 2);
            pollUntil(consumed, RECORDS / 2, () -> consumer.poll(Duration.ofMillis(200)));

            // Second half: poll(long), which 3.x has and 4.x removed. LatencyConsumer forwards it (by reflection)
            // and observes it like poll(Duration), so its records are measured like the others.
            Method pollLong = Consumer.class.getMethod("poll", long.class);
            send(producer, topic, RECORDS / 2, RECORDS);
            pollUntil(consumed, RECORDS, () -> (ConsumerRecords<?, ?>) invoke(pollLong, consumer, 200L));

            // committed(TopicPartition), also gone in 4.x, forwarded untouched.
            consumer.commitSync();
            Method committed = Consumer.class.getMethod("committed", TopicPartition.class);
            long committedTotal = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                OffsetAndMetadata offset = (OffsetAndMetadata) invoke(committed, consumer, new TopicPartition(topic, p));
                committedTotal += offset == null ? 0 : offset.offset();
            }
            assertThat(committedTotal).as("offsets committed over all partitions").isEqualTo(RECORDS);
        }

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            expected.add("value-" + i);
        }
        assertThat(consumed).as("values the application polled").containsExactlyInAnyOrderElementsOf(expected);

        LatencyReport report = recorder.report();
        System.out.println("kafka-clients " + AppInfoParser.getVersion() + "\n" + report.toTable());
        LatencyReport.Counts counts = report.counts();
        assertThat(counts.sent()).as("sent").isEqualTo(RECORDS);
        assertThat(counts.acked()).as("acked").isEqualTo(RECORDS);
        assertThat(counts.received()).as("received").isEqualTo(RECORDS);
        assertThat(counts.joined()).as("joined").isEqualTo(RECORDS);
        assertThat(counts.lost()).as("lost").isZero();
        assertThat(counts.duplicated()).as("duplicated").isZero();
        assertThat(report.mergedStages()).as("merged stages; notes: %s", report.notes()).isEmpty();
        for (Stage stage : Stage.values()) {
            assertThat(report.stage(stage)).as("stage %s", stage).get()
                    .extracting(StageStats::count).isEqualTo((long) RECORDS);
        }
        assertThat(report.notes()).as("the producer's configuration is readable from a %s KafkaProducer",
                        AppInfoParser.getVersion())
                .noneMatch(note -> note.contains("could not read the configuration"));
    }

    private static void send(Producer<String, String> producer, String topic, int from, int to) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)));
        }
        producer.flush();
        for (Future<RecordMetadata> ack : acks) {
            assertThat(ack.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS).hasOffset()).isTrue();
        }
    }

    private interface Poll {
        ConsumerRecords<?, ?> poll() throws Exception;
    }

    private static void pollUntil(List<String> consumed, int total, Poll poll) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (consumed.size() < total) {
            if (System.nanoTime() - deadline > 0) {
                fail("received " + consumed.size() + " of " + total + " records within " + DEADLINE.toSeconds() + " s");
            }
            for (ConsumerRecord<?, ?> record : poll.poll()) {
                consumed.add((String) record.value());
            }
        }
        assertThat(consumed).as("records received").hasSize(total);
    }

    private static Object invoke(Method method, Object target, Object... args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            fail("system property " + name + " is not set: run this test through the kafka-clients-oldest execution"
                    + " of latency-lib-kafka's pom (mvn verify), not on its own");
        }
        return value;
    }
}
