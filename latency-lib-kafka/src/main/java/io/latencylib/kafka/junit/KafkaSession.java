package io.latencylib.kafka.junit;

import io.latencylib.junit.LatencySession;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The Kafka session of one test invocation: the broker of the test run, fresh topics, and clients
 * already wrapped with the test's recorder. A test asks for it by parameter type; the
 * {@code io.latencylib.junit.LatencySloExtension} injects it into test methods, {@code @BeforeEach}
 * and {@code @AfterEach} methods, one session per test invocation.
 *
 * <pre>{@code
 * @LatencySLO(value = "p99 < 50ms", warmUp = "1s")
 * @Test
 * void ordersArriveQuickly(KafkaSession kafka) throws Exception {
 *     String topic = kafka.newTopic(3);                                   // LogAppendTime: the full five-stage split
 *     Consumer<byte[], byte[]> consumer = kafka.consumerOf(topic);        // assigned, positions resolved: ready now
 *     Producer<byte[], byte[]> producer = kafka.producer();               // acks=all, connected, metadata known
 *     ... send on this thread, poll on another, until everything arrived ...
 * }
 * }</pre>
 *
 * <p>Producers the session makes have fetched the metadata of every topic the session created
 * (before or after the producer) and are connected to the brokers that lead them before they are
 * returned, so the first send pays for neither. Clients the session made are closed after the test
 * (after {@code @AfterEach} methods): stop your poll loops before the test returns. Clients you
 * made yourself and wrapped with {@link #wrap(Producer)} stay yours to close. Thread-safe.
 */
public interface KafkaSession extends LatencySession {

    /** @return the address of the broker shared by the test run */
    String bootstrapServers();

    /** @return the name of a new topic with one partition and {@code message.timestamp.type=LogAppendTime} */
    String newTopic();

    /** @return the name of a new LogAppendTime topic with {@code partitions} partitions, every leader elected */
    String newTopic(int partitions);

    /**
     * @param topicConfig topic settings on top of {@code message.timestamp.type=LogAppendTime} (which it may
     *                    override, e.g. to show what a CreateTime topic hides)
     * @return the name of a new topic, created with the broker's default replication factor, every leader elected
     */
    String newTopic(int partitions, Map<String, String> topicConfig);

    /** @return a wrapped producer of byte arrays with {@code acks=all} and Kafka's other defaults */
    Producer<byte[], byte[]> producer();

    /** @return a wrapped producer of byte arrays; {@code overrides} go on top of the defaults */
    Producer<byte[], byte[]> producer(Map<String, ?> overrides);

    /** @return a wrapped producer with your serializers; {@code overrides} go on top of the defaults */
    <K, V> Producer<K, V> producer(Map<String, ?> overrides, Serializer<K> keySerializer,
                                   Serializer<V> valueSerializer);

    /**
     * @return a wrapped consumer of byte arrays, not subscribed, with a fresh {@code group.id} and
     *     {@code auto.offset.reset=earliest}
     */
    Consumer<byte[], byte[]> consumer();

    /** @return a wrapped consumer of byte arrays; {@code overrides} go on top of the defaults */
    Consumer<byte[], byte[]> consumer(Map<String, ?> overrides);

    /** @return a wrapped consumer with your deserializers; {@code overrides} go on top of the defaults */
    <K, V> Consumer<K, V> consumer(Map<String, ?> overrides, Deserializer<K> keyDeserializer,
                                   Deserializer<V> valueDeserializer);

    /**
     * @return a wrapped consumer assigned to every partition of {@code topic} at its end, positions
     *     already resolved: it receives everything sent after this returns, with no group join to wait for
     */
    Consumer<byte[], byte[]> consumerOf(String topic);

    /** Like {@link #consumerOf(String)}, with your deserializers and settings. */
    <K, V> Consumer<K, V> consumerOf(String topic, Map<String, ?> overrides, Deserializer<K> keyDeserializer,
                                     Deserializer<V> valueDeserializer);

    /** @return {@code producer} wrapped with the test's recorder; you close it */
    <K, V> Producer<K, V> wrap(Producer<K, V> producer);

    /** @return {@code consumer} wrapped with the test's recorder; you close it */
    <K, V> Consumer<K, V> wrap(Consumer<K, V> consumer);
}
