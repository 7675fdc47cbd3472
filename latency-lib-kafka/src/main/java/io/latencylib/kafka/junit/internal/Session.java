package io.latencylib.kafka.junit.internal;

import io.latencylib.junit.spi.SessionContext;
import io.latencylib.junit.spi.SessionSupport;
import io.latencylib.kafka.KafkaLatency;
import io.latencylib.kafka.junit.KafkaSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link KafkaSession} of one test invocation. */
final class Session extends SessionSupport implements KafkaSession {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.junit");
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaBroker broker;
    private final String clientPrefix;
    private final List<Producer<?, ?>> producers = new CopyOnWriteArrayList<>();
    private final List<Consumer<?, ?>> consumers = new CopyOnWriteArrayList<>();
    private final List<String> topics = new CopyOnWriteArrayList<>();

    Session(SessionContext context, KafkaBroker broker) {
        super("kafka", context);
        this.broker = broker;
        String name = context().freshName();
        this.clientPrefix = name.length() > 80 ? name.substring(0, 80) : name;
        context().onClose(this::close);
    }

    @Override
    public String bootstrapServers() {
        return broker.address();
    }

    @Override
    public String newTopic() {
        return newTopic(1);
    }

    @Override
    public String newTopic(int partitions) {
        return newTopic(partitions, Map.of());
    }

    @Override
    public String newTopic(int partitions, Map<String, String> topicConfig) {
        Objects.requireNonNull(topicConfig, "topicConfig");
        String name = context().freshName();
        broker.createTopic(name, partitions, topicConfig);
        topics.add(name);
        for (Producer<?, ?> p : producers) {
            p.partitionsFor(name); // the producers made before know it too
        }
        return name;
    }

    @Override
    public Producer<byte[], byte[]> producer() {
        return producer(Map.of());
    }

    @Override
    public Producer<byte[], byte[]> producer(Map<String, ?> overrides) {
        return producer(overrides, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public <K, V> Producer<K, V> producer(Map<String, ?> overrides, Serializer<K> keySerializer,
                                          Serializer<V> valueSerializer) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientPrefix + "-producer-" + COUNTER.incrementAndGet());
        config.putAll(Objects.requireNonNull(overrides, "overrides"));
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);   // the instances given win
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        KafkaProducer<K, V> producer = new KafkaProducer<>(config, keySerializer, valueSerializer);
        Producer<K, V> wrapped = KafkaLatency.wrap(producer, config, context().recorder());
        producers.add(wrapped);
        ready(producer);
        return wrapped;
    }

    /**
     * Connects {@code producer} before the test sends: one record (null key and value), not wrapped
     * so not measured, to the broker's own topic sets up the connection and the producer id; the
     * metadata of every topic of the session is fetched. A failure is logged, not thrown: the
     * test's own sends show what is wrong.
     */
    private <K, V> void ready(KafkaProducer<K, V> producer) {
        try {
            producer.send(new ProducerRecord<K, V>(broker.connectTopic(), null, null))
                    .get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("latency-lib-junit: could not connect a producer before handing it out: {}", e.toString());
        }
        for (String topic : topics) {
            producer.partitionsFor(topic);
        }
    }

    @Override
    public Consumer<byte[], byte[]> consumer() {
        return consumer(Map.of());
    }

    @Override
    public Consumer<byte[], byte[]> consumer(Map<String, ?> overrides) {
        return consumer(overrides, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public <K, V> Consumer<K, V> consumer(Map<String, ?> overrides, Deserializer<K> keyDeserializer,
                                          Deserializer<V> valueDeserializer) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, clientPrefix + "-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientPrefix + "-consumer-" + COUNTER.incrementAndGet());
        config.putAll(Objects.requireNonNull(overrides, "overrides"));
        config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        Consumer<K, V> wrapped = KafkaLatency.wrap(new KafkaConsumer<>(config, keyDeserializer, valueDeserializer),
                context().recorder());
        consumers.add(wrapped);
        return wrapped;
    }

    @Override
    public Consumer<byte[], byte[]> consumerOf(String topic) {
        return consumerOf(topic, Map.of(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public <K, V> Consumer<K, V> consumerOf(String topic, Map<String, ?> overrides, Deserializer<K> keyDeserializer,
                                            Deserializer<V> valueDeserializer) {
        Consumer<K, V> consumer = consumer(overrides, keyDeserializer, valueDeserializer);
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, READY_TIMEOUT);
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalStateException("topic '" + topic + "' has no partitions on " + bootstrapServers()
                    + ": create it first, e.g. with newTopic()");
        }
        List<TopicPartition> assigned = new ArrayList<>();
        for (PartitionInfo p : partitions) {
            assigned.add(new TopicPartition(topic, p.partition()));
        }
        consumer.assign(assigned);
        consumer.seekToEnd(assigned);
        assigned.forEach(tp -> consumer.position(tp, READY_TIMEOUT)); // resolved now, not at the first poll
        return consumer;
    }

    @Override
    public <K, V> Producer<K, V> wrap(Producer<K, V> producer) {
        return KafkaLatency.wrap(producer, context().recorder());
    }

    @Override
    public <K, V> Consumer<K, V> wrap(Consumer<K, V> consumer) {
        return KafkaLatency.wrap(consumer, context().recorder());
    }

    /** Closes the clients this session made: producers first (they flush), then consumers. */
    @SuppressWarnings("deprecation") // close(Duration): the one both kafka-clients 3.9 and 4.x have
    void close() {
        for (Producer<?, ?> p : producers) {
            try {
                p.close(CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                log.warn("latency-lib-junit: closing a producer of the test failed", e);
            }
        }
        for (Consumer<?, ?> c : consumers) {
            try {
                c.close(CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                // most often a poll loop of the test still running on another thread
                log.warn("latency-lib-junit: closing a consumer of the test failed (is a poll loop still running?)", e);
            }
        }
        producers.clear();
        consumers.clear();
    }

    @Override
    public String toString() {
        return "KafkaSession[" + clientPrefix + " on " + broker.address() + "]";
    }
}
