package io.latencylib.kafka;

import io.latencylib.LatencyRecorder;
import io.latencylib.embedded.LinkDelay;
import io.latencylib.embedded.internal.Ports;
import io.latencylib.kafka.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real embedded broker for all Kafka tests of the run (closed by JUnit at the end), plus the
 * client settings and load loops the tests share. Topic auto-creation is off, so every test
 * creates the topics it uses and a send to a missing topic fails as it would in production.
 */
public final class KafkaTestSupport implements BeforeAllCallback {

    private static volatile EmbeddedKafka broker;
    private static volatile Admin admin;
    private static volatile LinkDelay link;
    private static int topicCounter;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent("embedded-kafka", k -> {
            // a second listener advertised at a proxy, so that a consumer bootstrapped there stays behind it
            int proxiedPort = Ports.freeLoopbackPorts(1)[0];
            link = LinkDelay.to(Ports.LOOPBACK, proxiedPort);
            broker = EmbeddedKafka.builder().brokerProperty("auto.create.topics.enable", "false")
                    .advertisedListener("PROXIED", proxiedPort, link.address()).start();
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
            return (ExtensionContext.Store.CloseableResource) () -> {
                admin.close();
                link.close();
                broker.close();
            };
        });
    }

    static String bootstrap() {
        return broker.bootstrapServers();
    }

    /**
     * The proxy in front of the broker's second listener: a client bootstrapped at {@link #proxiedBootstrap()}
     * reaches the broker only through it. Its delays are zero unless a test sets them (and resets them).
     */
    static LinkDelay link() {
        return link;
    }

    static String proxiedBootstrap() {
        return link.address();
    }

    static Admin admin() {
        return admin;
    }

    /** Creates a fresh topic; with LogAppendTime unless {@code createTime}. */
    static synchronized String newTopic(String prefix, int partitions, boolean createTime) {
        String topic = prefix + "-" + (++topicCounter);
        if (createTime) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)
                        .configs(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime")))).all().get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        } else {
            KafkaLatency.ensureLogAppendTime(admin, topic, partitions, (short) 1);
        }
        return topic;
    }

    static Map<String, Object> producerConfig(String acks, int lingerMs) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, acks);
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    static KafkaProducer<byte[], byte[]> rawProducer(Map<String, Object> config) {
        return new KafkaProducer<>(config);
    }

    static Map<String, Object> consumerConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return c;
    }

    /** A consumer assigned to every partition of {@code topic} from the beginning (no group rebalance to wait for). */
    static KafkaConsumer<byte[], byte[]> rawConsumer(Map<String, Object> config, String topic, int partitions) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config);
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        c.assign(tps);
        c.seekToBeginning(tps);
        tps.forEach(c::position); // resolve offsets now, before any message is sent
        return c;
    }

    /**
     * Polls {@code consumer} on a thread of its own until {@code count} records arrived, handing
     * each to {@code handler}; fails when they do not arrive before {@code deadline}.
     */
    static final class BackgroundConsumer implements AutoCloseable {
        private final ExecutorService executor = Executors.newSingleThreadExecutor();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final CompletableFuture<Void> polling = new CompletableFuture<>();
        private final Future<List<ConsumerRecord<byte[], byte[]>>> result;

        BackgroundConsumer(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, int count,
                           Duration deadline, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
            result = executor.submit(() -> {
                List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
                long end = System.nanoTime() + deadline.toNanos();
                try (consumer) {
                    while (got.size() < count && !stop.get()) {
                        if (System.nanoTime() > end) {
                            throw new AssertionError("received " + got.size() + " of " + count + " within " + deadline);
                        }
                        var records = consumer.poll(Duration.ofMillis(100));
                        polling.complete(null);
                        for (var r : records) {
                            got.add(r);
                            handler.accept(r);
                        }
                    }
                }
                return got;
            });
        }

        /** Blocks until the consumer has polled once (it is waiting for messages). */
        BackgroundConsumer awaitPolling() throws Exception {
            polling.get(30, TimeUnit.SECONDS);
            return this;
        }

        List<ConsumerRecord<byte[], byte[]>> await(Duration timeout) throws Exception {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            stop.set(true);
            executor.shutdownNow();
        }
    }

    /** Sends {@code count} records of {@code size} bytes at {@code perSecond}, parking (not spinning) until each is due. */
    static void sendPaced(Producer<byte[], byte[]> producer, String topic, int count, int perSecond, int size) {
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        byte[] payload = new byte[size];
        for (int i = 0; i < count; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            producer.send(new ProducerRecord<>(topic, payload));
            next += interval;
        }
        producer.flush();
    }

    /** Pauses the calling thread, as a consumer busy handling a message would be. */
    static void busyFor(Duration d) {
        LockSupport.parkNanos(d.toNanos());
    }

    static LatencyRecorder recorder() {
        return LatencyRecorder.create();
    }

    static Properties props(Map<String, Object> m) {
        Properties p = new Properties();
        p.putAll(m);
        return p;
    }
}
