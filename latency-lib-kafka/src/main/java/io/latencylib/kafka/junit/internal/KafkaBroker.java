package io.latencylib.kafka.junit.internal;

import io.latencylib.junit.LatencySession;
import io.latencylib.junit.spi.ProvisionedBroker;
import io.latencylib.junit.spi.SessionContext;
import io.latencylib.kafka.KafkaLoadDriver;
import io.latencylib.load.LoadDriver;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Kafka broker of a test run: its address, an Admin client for topics, what to stop at the end. */
final class KafkaBroker implements ProvisionedBroker {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.junit");
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final AutoCloseable owned;
    private final Admin admin;
    private volatile String connectTopic;

    KafkaBroker(String bootstrapServers, AutoCloseable owned) {
        this.bootstrapServers = bootstrapServers;
        this.owned = owned;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    @Override
    public String address() {
        return bootstrapServers;
    }

    @Override
    public LoadDriver newLoadDriver() {
        return KafkaLoadDriver.create(bootstrapServers);
    }

    @Override
    public LatencySession openSession(SessionContext context) {
        return new Session(context, this);
    }

    /**
     * @return a topic of this run that producers send one unmeasured record to before the session
     *     hands them out (their connection and producer id are set up then, not at the test's first send)
     */
    String connectTopic() {
        String t = connectTopic;
        if (t == null) {
            synchronized (this) {
                t = connectTopic;
                if (t == null) {
                    t = "latency-connect-" + UUID.randomUUID().toString().substring(0, 8);
                    createTopic(t, 1, Map.of(TopicConfig.RETENTION_MS_CONFIG, "60000"));
                    connectTopic = t;
                }
            }
        }
        return t;
    }

    /**
     * Creates {@code name} (LogAppendTime unless {@code topicConfig} says otherwise, the broker's
     * replication factor) and returns once every partition has a leader, so the first send does not
     * meet an unknown partition.
     */
    void createTopic(String name, int partitions, Map<String, String> topicConfig) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        Map<String, String> config = new HashMap<>();
        config.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
        config.putAll(topicConfig);
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        try {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(config)))
                    .all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            while (true) {
                try {
                    TopicDescription d = admin.describeTopics(Set.of(name)).allTopicNames()
                            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(name);
                    if (d != null && d.partitions().size() == partitions && d.partitions().stream()
                            .map(TopicPartitionInfo::leader).allMatch(l -> l != null && !l.isEmpty())) {
                        return;
                    }
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("topic '" + name + "' has no leader for every partition after "
                            + ADMIN_TIMEOUT.toSeconds() + " s on " + bootstrapServers);
                }
                Thread.onSpinWait();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create topic '" + name + "' on " + bootstrapServers + ": "
                    + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topic '" + name + "' on " + bootstrapServers
                    + " (is a Kafka broker listening there?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic '" + name + "'", e);
        }
    }

    @Override
    public void close() {
        try {
            admin.close(Duration.ofSeconds(5));
        } finally {
            if (owned != null) {
                try {
                    owned.close();
                } catch (Exception e) {
                    log.warn("latency-lib-junit: stopping the Kafka broker at {} failed", bootstrapServers, e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers + "]";
    }
}
