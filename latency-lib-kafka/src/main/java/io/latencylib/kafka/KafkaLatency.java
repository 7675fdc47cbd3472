package io.latencylib.kafka;

import io.latencylib.LatencyRecorder;
import io.latencylib.kafka.internal.KafkaStamping;
import io.latencylib.kafka.internal.KafkaStamping.ProducerTraits;
import io.latencylib.kafka.internal.Forwarding;
import io.latencylib.kafka.internal.LatencyConsumer;
import io.latencylib.kafka.internal.LatencyProducer;
import io.latencylib.kafka.internal.WrappingHandlers;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Measures the latency of Kafka messages by wrapping the producers and consumers you already have.
 *
 * <pre>{@code
 * LatencyRecorder recorder = LatencyRecorder.create();
 * Producer<String, String> producer = KafkaLatency.wrap(new KafkaProducer<>(props), recorder);
 * Consumer<String, String> consumer = KafkaLatency.wrap(new KafkaConsumer<>(props), recorder);
 * // send and poll as before; then
 * System.out.println(recorder.report().toTable());
 * }</pre>
 *
 * <p>The wrappers change nothing the application sees: same return values, same exceptions, its
 * headers untouched. Each sent record gets one more header, {@link io.latencylib.LatencyStamp#HEADER},
 * added to the {@code ProducerRecord} object the application passed, and 49 bytes larger: a
 * {@code RecordTooLargeException} the stamp caused says so (see the module's README).
 * For code that cannot be touched, the same measurement is available through configuration only:
 * see {@link LatencyProducerInterceptor} and {@link LatencyConsumerInterceptor}.
 *
 * <p>For the full five-stage split the topic must use {@code message.timestamp.type=LogAppendTime}
 * (see {@link #ensureLogAppendTime}) and the producer {@code acks=all}; otherwise the report says
 * which stages are merged and why.
 */
public final class KafkaLatency {

    private static final Map<String, LatencyRecorder> NAMED = new ConcurrentHashMap<>();
    /**
     * Whether the plain wrapper classes cover the running kafka-clients' interfaces (true for 3.9 to 4.1); if
     * not, a dynamic proxy forwards what they do not know (slower: reflection and an argument array per call).
     */
    private static final boolean PLAIN_PRODUCER = Forwarding.implementsAll(Producer.class, LatencyProducer.IMPLEMENTED);
    private static final boolean PLAIN_CONSUMER = Forwarding.implementsAll(Consumer.class, LatencyConsumer.IMPLEMENTED);

    private KafkaLatency() {
    }

    /**
     * Wraps a producer. {@code beginTransaction}, {@code commitTransaction} and {@code abortTransaction}
     * are forwarded and, once they returned, end the commit stage of the transaction's messages or count
     * them aborted. Its settings ({@code acks}, {@code linger.ms}, {@code batch.size}) are read
     * from the producer itself when it is a {@code KafkaProducer}; otherwise use
     * {@link #wrap(Producer, Map, LatencyRecorder)}.
     */
    public static <K, V> Producer<K, V> wrap(Producer<K, V> producer, LatencyRecorder recorder) {
        Map<String, ?> config = configOf(producer).orElseGet(() -> {
            recorder.note("could not read the configuration of " + producer.getClass().getName()
                    + "; assuming Kafka's defaults (acks=all, linger.ms=5, batch.size=16384): pass the producer's"
                    + " properties to KafkaLatency.wrap(producer, properties, recorder) for an exact dispatch estimate");
            return Map.of();
        });
        return wrap(producer, config, recorder);
    }

    /**
     * Wraps a producer whose configuration is given explicitly (the properties it was built with).
     */
    @SuppressWarnings("unchecked")
    public static <K, V> Producer<K, V> wrap(Producer<K, V> producer, Map<String, ?> producerConfig,
                                             LatencyRecorder recorder) {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(recorder, "recorder");
        if (producer instanceof LatencyProducer || Proxy.isProxyClass(producer.getClass())
                && Proxy.getInvocationHandler(producer) instanceof WrappingHandlers.ProducerHandler) {
            throw new IllegalArgumentException("this producer is already wrapped by KafkaLatency.wrap; wrap it once");
        }
        ProducerTraits traits = ProducerTraits.from(producerConfig);
        var probe = KafkaStamping.newProducerProbe(recorder, traits);
        LatencyProducer<K, V> wrapped = new LatencyProducer<>(producer, probe, recorder.clock(), traits.bufferMemory());
        if (PLAIN_PRODUCER) {
            return wrapped;
        }
        // a kafka-clients newer than this library: the proxy serves the methods LatencyProducer does not know
        return (Producer<K, V>) Proxy.newProxyInstance(Producer.class.getClassLoader(), new Class<?>[] {Producer.class},
                new WrappingHandlers.ProducerHandler(wrapped));
    }

    /**
     * Wraps a consumer: every record a {@code poll} returns is observed, then handed back unchanged. The
     * consumer counts as free (asking for messages) inside {@code poll} and busy between its return and
     * the next call; that busy time is the catch-up stage.
     */
    @SuppressWarnings("unchecked")
    public static <K, V> Consumer<K, V> wrap(Consumer<K, V> consumer, LatencyRecorder recorder) {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(recorder, "recorder");
        if (consumer instanceof LatencyConsumer || Proxy.isProxyClass(consumer.getClass())
                && Proxy.getInvocationHandler(consumer) instanceof WrappingHandlers.ConsumerHandler) {
            throw new IllegalArgumentException("this consumer is already wrapped by KafkaLatency.wrap; wrap it once");
        }
        LatencyConsumer<K, V> wrapped = new LatencyConsumer<>(consumer, new KafkaStamping.PollObserver(recorder),
                recorder.clock());
        if (PLAIN_CONSUMER) {
            return wrapped;
        }
        return (Consumer<K, V>) Proxy.newProxyInstance(Consumer.class.getClassLoader(), new Class<?>[] {Consumer.class},
                new WrappingHandlers.ConsumerHandler(wrapped));
    }

    /**
     * Makes {@code recorder} available to the interceptors under {@code name} (their
     * {@code latency.recorder} property; default {@code default}).
     */
    public static void register(String name, LatencyRecorder recorder) {
        NAMED.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(recorder, "recorder"));
    }

    /** @return the recorder registered under {@code name}, creating it on first use */
    public static LatencyRecorder recorder(String name) {
        return NAMED.computeIfAbsent(name, n -> LatencyRecorder.create());
    }

    /**
     * Creates {@code topic} with {@code message.timestamp.type=LogAppendTime}, or checks that an
     * existing one uses it. Broker append time is what splits publish from commit.
     *
     * @throws IllegalStateException when the topic exists with CreateTime, naming the command that fixes it
     */
    public static void ensureLogAppendTime(Admin admin, String topic, int partitions, short replicationFactor) {
        NewTopic newTopic = new NewTopic(topic, partitions, replicationFactor)
                .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"));
        try {
            admin.createTopics(Set.of(newTopic)).all().get();
            return;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic '" + topic + "': " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic '" + topic + "'", e);
        }
        if (!usesLogAppendTime(admin, topic)) {
            throw new IllegalStateException("topic '" + topic + "' exists with message.timestamp.type=CreateTime, so"
                    + " the broker's append time is not observed and publish+commit are reported merged. Fix: "
                    + "kafka-configs.sh --bootstrap-server <host:port> --alter --entity-type topics --entity-name "
                    + topic + " --add-config message.timestamp.type=LogAppendTime");
        }
    }

    /** @return true when {@code topic} uses {@code message.timestamp.type=LogAppendTime} */
    public static boolean usesLogAppendTime(Admin admin, String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config config = admin.describeConfigs(Collections.singleton(resource)).all().get().get(resource);
            ConfigEntry entry = config.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
            return entry != null && "LogAppendTime".equals(entry.value());
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not describe topic '" + topic + "': " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topic '" + topic + "'", e);
        }
    }

    /** Reads the private configuration of a {@code KafkaProducer}, where the running client allows it. */
    private static Optional<Map<String, ?>> configOf(Producer<?, ?> producer) {
        try {
            Field field = producer.getClass().getDeclaredField("producerConfig");
            field.setAccessible(true);
            Object config = field.get(producer);
            if (config instanceof org.apache.kafka.common.config.AbstractConfig abstractConfig) {
                return Optional.of(abstractConfig.values());
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not a KafkaProducer, or a client version without that field
        }
        return Optional.empty();
    }
}
