package io.latencylib.kafka;

import io.latencylib.LatencyRecorder;
import io.latencylib.load.LoadDriver;
import io.latencylib.spi.PacedSend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Drives a {@link io.latencylib.load.LoadRun} through Kafka: makes its own producers and consumers
 * from bootstrap settings, wrapped with the run's recorder; creates the topic (LogAppendTime) when
 * it is missing.
 *
 * <pre>{@code
 * LoadReport report = LoadRun.builder(KafkaLoadDriver.create("localhost:9092"))
 *         .destination("load").schedule(Schedule.constant(10_000, Duration.ofSeconds(20))).run();
 * }</pre>
 */
public final class KafkaLoadDriver implements LoadDriver {

    private final Map<String, Object> producerConfig;
    private final Map<String, Object> consumerConfig;
    private final int partitions;
    private final List<Producer<byte[], byte[]>> producers = new ArrayList<>();
    private final List<Consumer<byte[], byte[]>> consumers = new ArrayList<>();
    private final List<Thread> pollers = new ArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private String topic;

    private KafkaLoadDriver(Map<String, Object> producerConfig, Map<String, Object> consumerConfig, int partitions) {
        this.producerConfig = producerConfig;
        this.consumerConfig = consumerConfig;
        this.partitions = partitions;
    }

    /** @return a driver with Kafka's client defaults (acks=all) against {@code bootstrapServers} */
    public static KafkaLoadDriver create(String bootstrapServers) {
        return create(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), Map.of(), 0);
    }

    /**
     * @param producerConfig producer properties (bootstrap.servers at least); serializers are set by the driver
     * @param consumerConfig consumer properties on top of the producer's bootstrap.servers; group.id is
     *                       generated unless given
     * @param partitions     partitions of the topic when the driver creates it; 0 for one per consumer
     */
    public static KafkaLoadDriver create(Map<String, ?> producerConfig, Map<String, ?> consumerConfig, int partitions) {
        Map<String, Object> p = new HashMap<>(producerConfig);
        if (!p.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("the producer configuration needs bootstrap.servers");
        }
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, p.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-load-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.putAll(consumerConfig);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaLoadDriver(p, c, partitions);
    }

    @Override
    public String system() {
        return "kafka";
    }

    @Override
    public void open(String destination, int producerCount, int consumerCount, LatencyRecorder recorder) {
        this.topic = Objects.requireNonNull(destination, "destination");
        closing.set(false);
        int wanted = partitions > 0 ? partitions : Math.max(1, consumerCount);
        int actual = prepareTopic(recorder, wanted);
        for (int i = 0; i < producerCount; i++) {
            producers.add(KafkaLatency.wrap(new KafkaProducer<>(producerConfig), producerConfig, recorder));
        }
        for (int i = 0; i < consumerCount; i++) {
            Consumer<byte[], byte[]> consumer = KafkaLatency.wrap(new KafkaConsumer<>(consumerConfig), recorder);
            consumer.subscribe(List.of(topic));
            consumers.add(consumer);
        }
        if (consumerCount > 0) {
            awaitAssignment(actual);
        }
        for (int i = 0; i < consumers.size(); i++) {
            Consumer<byte[], byte[]> consumer = consumers.get(i);
            Thread t = new Thread(() -> poll(consumer), "latency-load-consumer-" + i);
            t.setDaemon(true);
            pollers.add(t);
            t.start();
        }
    }

    /** Polls until every partition is assigned (group joined), so the first message does not wait for it. */
    private void awaitAssignment(int partitionCount) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            int assigned = 0;
            for (Consumer<byte[], byte[]> c : consumers) {
                c.poll(Duration.ofMillis(50));
                assigned += c.assignment().size();
            }
            if (assigned >= partitionCount) {
                for (Consumer<byte[], byte[]> c : consumers) {
                    c.assignment().forEach(c::position); // resolve the starting offsets now
                }
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the consumers of '" + topic + "' were assigned " + assigned + " of "
                        + partitionCount + " partitions within 60 s; is the broker reachable and the group free?");
            }
        }
    }

    private int prepareTopic(LatencyRecorder recorder, int wanted) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                producerConfig.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)))) {
            try {
                admin.createTopics(Set.of(new NewTopic(topic, wanted, (short) -1)
                        .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")))).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("could not create topic '" + topic + "': " + e.getCause(), e);
                }
                if (!KafkaLatency.usesLogAppendTime(admin, topic)) {
                    recorder.note("load topic '" + topic + "' exists with CreateTime: publish and commit are reported"
                            + " merged (use a new topic name, or set message.timestamp.type=LogAppendTime on it)");
                }
            }
            // a topic just created may not be in every metadata cache yet: ask again until it is (30 s at most)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    TopicDescription d = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic);
                    return d.partitions().size();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing topic '" + topic + "'", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not describe topic '" + topic + "': " + e.getCause(), e);
        }
    }

    private void poll(Consumer<byte[], byte[]> consumer) {
        try {
            while (!closing.get()) {
                consumer.poll(Duration.ofMillis(100));
            }
        } catch (WakeupException e) {
            // closing
        }
    }

    @Override
    public Sender sender(int index) {
        Producer<byte[], byte[]> producer = producers.get(index);
        String destination = topic;
        return (key, payload, intendedMicros) -> {
            PacedSend.intend(intendedMicros);
            producer.send(new ProducerRecord<>(destination, key, payload));
        };
    }

    @Override
    public void flush() {
        producers.forEach(Producer::flush);
    }

    @Override
    public void close() {
        closing.set(true);
        consumers.forEach(Consumer::wakeup);
        for (Thread t : pollers) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producers.forEach(p -> p.close(Duration.ofSeconds(10)));
        consumers.forEach(c -> c.close(Duration.ofSeconds(10)));
        producers.clear();
        consumers.clear();
        pollers.clear();
    }
}
