package io.latencylib.pulsar;

import io.latencylib.LatencyRecorder;
import io.latencylib.pulsar.internal.LatencyConsumer;
import io.latencylib.pulsar.internal.LatencyMessageListener;
import io.latencylib.pulsar.internal.LatencyProducer;
import io.latencylib.pulsar.internal.PulsarStamping;
import io.latencylib.pulsar.internal.PulsarStamping.ProducerTraits;
import io.latencylib.pulsar.internal.WrappingHandlers;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.MessageListener;
import org.apache.pulsar.client.api.Producer;

/**
 * Measures the latency of Pulsar messages by wrapping the producers, consumers and listeners you
 * already have.
 *
 * <pre>{@code
 * LatencyRecorder recorder = LatencyRecorder.create();
 * Producer<Order> producer = PulsarLatency.wrap(client.newProducer(schema).topic("orders").create(), recorder);
 * Consumer<Order> consumer = PulsarLatency.wrap(client.newConsumer(schema).topic("orders")
 *         .subscriptionName("billing").subscribe(), recorder);
 * // send, sendAsync, newMessage()...send(), receive, receiveAsync, batchReceive as before; then
 * System.out.println(recorder.report().toTable());
 * }</pre>
 *
 * <p>The wrappers change nothing the application sees: same return values (a {@code sendAsync} or
 * {@code receiveAsync} future completes exactly as the client's own, after the library recorded
 * it), same exceptions; the application's properties, key, ordering key and event time untouched.
 * Each sent message gets one more property, {@link io.latencylib.LatencyStamp#HEADER}, holding the
 * {@value io.latencylib.LatencyStamp#LENGTH}-byte stamp as standard Base64 (48 characters; property
 * values are strings).
 *
 * <p>For the full five-stage split the brokers must hand their publish time to clients:
 * {@code brokerEntryMetadataInterceptors=org.apache.pulsar.common.intercept.AppendBrokerTimestampMetadataInterceptor}
 * and {@code exposingBrokerEntryMetadataToClientEnabled=true}. Without it the report shows
 * {@code publish+commit} merged and says why.
 *
 * <p>Where code cannot be changed but the builders can: {@link LatencyProducerInterceptor} and
 * {@link LatencyConsumerInterceptor}, given to {@code ProducerBuilder.intercept} and
 * {@code ConsumerBuilder.intercept}.
 */
public final class PulsarLatency {

    /** The messaging system, e.g. for {@code LatencyMeters.builder(recorder).system(PulsarLatency.SYSTEM)}. */
    public static final String SYSTEM = PulsarStamping.SYSTEM;

    private static final Map<String, LatencyRecorder> NAMED = new ConcurrentHashMap<>();
    /** Whether the plain {@link LatencyProducer} covers the running pulsar-client's {@code Producer} (else: a proxy). */
    private static final boolean PLAIN_PRODUCER = LatencyProducer.coversRunningClient();
    /** Whether the plain {@link LatencyConsumer} covers the running pulsar-client's {@code Consumer} (else: a proxy). */
    private static final boolean PLAIN_CONSUMER = LatencyConsumer.coversRunningClient();

    private PulsarLatency() {
    }

    /**
     * Wraps a producer: {@code send}, {@code sendAsync} and every {@code newMessage()} builder's
     * {@code send}/{@code sendAsync} are stamped. The batching settings the dispatch estimate needs
     * are read from the producer itself when it is the client's own; otherwise use
     * {@link #wrap(Producer, Map, LatencyRecorder)}.
     */
    public static <T> Producer<T> wrap(Producer<T> producer, LatencyRecorder recorder) {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(recorder, "recorder");
        requireUnwrapped(producer);
        ProducerTraits traits = ProducerTraits.of(producer).orElseGet(() -> {
            recorder.note("could not read the configuration of " + producer.getClass().getName()
                    + "; assuming Pulsar's batching defaults (on, 1 ms delay, 1000 messages, 128 KB): pass the"
                    + " producer's settings to PulsarLatency.wrap(producer, settings, recorder) for an exact dispatch"
                    + " estimate");
            return ProducerTraits.DEFAULTS;
        });
        return wrap(producer, traits, recorder);
    }

    /**
     * Wraps a producer whose batching settings are given explicitly, with the keys of
     * {@code ProducerBuilder.loadConf}: {@code batchingEnabled}, {@code batchingMaxPublishDelayMicros},
     * {@code batchingMaxMessages}, {@code batchingMaxBytes}, {@code maxPendingMessages}; missing keys
     * take Pulsar's defaults.
     */
    public static <T> Producer<T> wrap(Producer<T> producer, Map<String, ?> producerSettings, LatencyRecorder recorder) {
        return wrap(producer, ProducerTraits.from(producerSettings), recorder);
    }

    @SuppressWarnings("unchecked")
    private static <T> Producer<T> wrap(Producer<T> producer, ProducerTraits traits, LatencyRecorder recorder) {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(recorder, "recorder");
        requireUnwrapped(producer);
        var acks = new PulsarStamping.AckTracker(PulsarStamping.newProducerProbe(recorder, traits), recorder.clock(),
                traits);
        if (PLAIN_PRODUCER) {
            return new LatencyProducer<>(producer, acks, recorder.clock());
        }
        // a pulsar-client newer than this library: the proxy serves the methods LatencyProducer does not know
        return (Producer<T>) Proxy.newProxyInstance(Producer.class.getClassLoader(), new Class<?>[] {Producer.class},
                new WrappingHandlers.ProducerHandler(producer, acks, recorder.clock()));
    }

    private static void requireUnwrapped(Producer<?> producer) {
        if (producer instanceof LatencyProducer || Proxy.isProxyClass(producer.getClass())
                && Proxy.getInvocationHandler(producer) instanceof WrappingHandlers.ProducerHandler) {
            throw new IllegalArgumentException("this producer is already wrapped by PulsarLatency.wrap; wrap it once");
        }
    }

    /**
     * Wraps a consumer: every message that {@code receive}, {@code receive(timeout)},
     * {@code receiveAsync}, {@code batchReceive} or {@code batchReceiveAsync} hands back is observed.
     * The consumer counts as asking for messages while one of these calls is in progress or one of
     * their futures is pending, and as busy handling messages otherwise (the latency model's catch-up is
     * its busy time). A consumer built with a {@code messageListener} delivers to the listener, not
     * through these calls: wrap the listener with {@link #wrap(MessageListener, LatencyRecorder)} instead.
     */
    @SuppressWarnings("unchecked")
    public static <T> Consumer<T> wrap(Consumer<T> consumer, LatencyRecorder recorder) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(recorder, "recorder");
        if (consumer instanceof LatencyConsumer || Proxy.isProxyClass(consumer.getClass())
                && Proxy.getInvocationHandler(consumer) instanceof WrappingHandlers.ConsumerHandler) {
            throw new IllegalArgumentException("this consumer is already wrapped by PulsarLatency.wrap; wrap it once");
        }
        if (PLAIN_CONSUMER) {
            return new LatencyConsumer<>(consumer, new PulsarStamping.ReceiveObserver(recorder), recorder.clock());
        }
        return (Consumer<T>) Proxy.newProxyInstance(Consumer.class.getClassLoader(), new Class<?>[] {Consumer.class},
                new WrappingHandlers.ConsumerHandler(consumer, new PulsarStamping.ReceiveObserver(recorder),
                        recorder.clock()));
    }

    /**
     * Wraps a listener for pushed deliveries ({@code ConsumerBuilder.messageListener}). Per consumer,
     * the application is busy while the listener runs and free otherwise, from its subscription on; the
     * subscription is taken to be when this method was called, so call it right before {@code subscribe()}.
     */
    public static <T> MessageListener<T> wrap(MessageListener<T> listener, LatencyRecorder recorder) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(recorder, "recorder");
        if (listener instanceof LatencyMessageListener<?>) {
            throw new IllegalArgumentException("this listener is already wrapped by PulsarLatency.wrap; wrap it once");
        }
        return new LatencyMessageListener<>(listener, new PulsarStamping.ReceiveObserver(recorder));
    }

    /** Makes {@code recorder} available to the interceptors' no-argument constructors under {@code name}. */
    public static void register(String name, LatencyRecorder recorder) {
        NAMED.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(recorder, "recorder"));
    }

    /** @return the recorder registered under {@code name}, creating it on first use */
    public static LatencyRecorder recorder(String name) {
        return NAMED.computeIfAbsent(name, n -> LatencyRecorder.create());
    }
}
