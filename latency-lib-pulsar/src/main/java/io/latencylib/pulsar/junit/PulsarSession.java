package io.latencylib.pulsar.junit;

import io.latencylib.junit.LatencySession;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.MessageListener;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;

/**
 * A latency test's view of the run's Pulsar broker: fresh topics, producers and consumers already
 * wrapped with the test's recorder, and the broker's addresses for the code under test. Injected by
 * the latency-lib-junit extension into a test method parameter of this type.
 *
 * <pre>{@code
 * @LatencySLO("p99 < 50ms")
 * @Test
 * void ordersArriveQuickly(PulsarSession pulsar) throws Exception {
 *     String topic = pulsar.newTopic();
 *     Consumer<byte[]> consumer = pulsar.consumer(topic);   // subscribed: nothing sent from now on is missed
 *     Producer<byte[]> producer = pulsar.producer(topic);
 *     for (int i = 0; i < 500; i++) {
 *         producer.send(("order-" + i).getBytes(StandardCharsets.UTF_8));
 *         consumer.acknowledge(consumer.receive());
 *     }
 * }
 * }</pre>
 *
 * <p>Topics of {@link #newTopic()} are on a broker that hands its publish time to clients (the
 * embedded standalone and the Testcontainers broker are started so; a broker given by address is
 * checked, with a warning when it does not), so reports split all five stages. Everything the
 * session made or {@linkplain #wrap(Producer) wrapped} is closed after the test (after
 * {@code @AfterEach} methods), and the topics of {@link #newTopic()} are deleted. Thread-safe.
 */
public interface PulsarSession extends LatencySession {

    /** @return the broker's service URL for clients, e.g. {@code pulsar://127.0.0.1:6650}: give it to the code under test */
    String serviceUrl();

    /** @return the broker's web service URL (admin REST API), e.g. {@code http://127.0.0.1:8080} */
    String httpUrl();

    /**
     * @return a client of the broker that this session made on first call (the same one afterwards),
     *     closed after the test with everything made on it; what it makes is not measured unless
     *     {@linkplain #wrap(Producer) wrapped}
     */
    PulsarClient client();

    /** @return the full name of a new non-partitioned persistent topic no other test uses, e.g. {@code persistent://public/default/...} */
    String newTopic();

    /**
     * @param partitions 1 for a non-partitioned topic, more for a partitioned one
     * @return the full name of a new persistent topic no other test uses
     */
    String newTopic(int partitions);

    /** @return a producer of raw bytes on {@code topic} (Pulsar's defaults: batching on, 1 ms delay), wrapped with the test's recorder */
    Producer<byte[]> producer(String topic);

    /** @return a producer of {@code schema} on {@code topic} (Pulsar's defaults), wrapped with the test's recorder */
    <T> Producer<T> producer(String topic, Schema<T> schema);

    /**
     * @return a consumer of raw bytes on {@code topic}, wrapped with the test's recorder: an Exclusive
     *     subscription of its own, already subscribed from the latest position, so it receives every
     *     message sent after this method returned and none sent before
     */
    Consumer<byte[]> consumer(String topic);

    /** @return as {@link #consumer(String)}, receiving {@code schema} */
    <T> Consumer<T> consumer(String topic, Schema<T> schema);

    /** Wraps a producer the test made itself with the test's recorder; the session closes it after the test. */
    <T> Producer<T> wrap(Producer<T> producer);

    /** Wraps a consumer the test made itself with the test's recorder; the session closes it after the test. */
    <T> Consumer<T> wrap(Consumer<T> consumer);

    /**
     * Wraps a listener for pushed deliveries with the test's recorder; give the result to
     * {@code ConsumerBuilder.messageListener} right before {@code subscribe()} (the consumer counts as
     * asking for messages from when this method was called). Build the consumer on {@link #client()} and
     * it is closed after the test too.
     */
    <T> MessageListener<T> wrap(MessageListener<T> listener);
}
