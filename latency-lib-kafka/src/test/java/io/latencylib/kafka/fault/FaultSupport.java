package io.latencylib.kafka.fault;

import io.latencylib.kafka.KafkaLatency;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The fault suite's broker, one for the whole run, in a child JVM that a test may kill (see
 * {@link KillableKafka}), plus what the fault tests share: client settings, waiting for a condition with a
 * deadline, and the heap after a full GC. A test that kills the broker starts it again; a test that begins
 * with it down (a test before it failed) starts it first.
 */
public final class FaultSupport implements BeforeAllCallback {

    private static volatile KillableKafka broker;
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent("killable-kafka", k -> {
            broker = KillableKafka.start(Path.of("target", "killable-kafka.log"));
            return (ExtensionContext.Store.CloseableResource) () -> broker.close();
        });
        broker.ensureRunning();
    }

    static KillableKafka broker() {
        return broker;
    }

    /** A new topic with {@code message.timestamp.type=LogAppendTime}. */
    static String newTopic(String prefix, int partitions) {
        String topic = prefix + "-" + TOPICS.incrementAndGet();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            KafkaLatency.ensureLogAppendTime(admin, topic, partitions, (short) 1);
        }
        return topic;
    }

    /** acks=all, idempotent, reconnecting within 250 ms of the broker's return. */
    static Map<String, Object> producerConfig() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 250);
        p.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 250);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** No auto commit, from the earliest offset, reconnecting within 250 ms of the broker's return. */
    static Map<String, Object> consumerConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 250);
        c.put(ConsumerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 250);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return c;
    }

    /**
     * Re-checks {@code condition} every 10 ms until it holds; fails with {@code state} when it does not
     * within {@code timeout}.
     */
    static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what + "; " + state.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /**
     * Returns once the wall clock has reached {@code micros}: the recorder's eviction needs time to have
     * passed, not an event, to count a message lost.
     */
    static void awaitClock(io.latencylib.LatencyClock clock, long micros) {
        long left;
        while ((left = micros - clock.nowMicros()) > 0) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(left));
        }
    }

    /** Heap in use after full collections, in bytes. */
    static long heapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }

    static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }
}
