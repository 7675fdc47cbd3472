package io.latencylib.junit.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker shared by every test of a run: its address, how it was provisioned, an Admin client for
 * topics. Kept in the root {@link ExtensionContext.Store}, closed by JUnit at the end of the run.
 * Internal.
 */
public final class Broker implements ExtensionContext.Store.CloseableResource {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.junit");
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final String description;
    private final AutoCloseable owned;
    private final Admin admin;

    Broker(String bootstrapServers, String description, AutoCloseable owned) {
        this.bootstrapServers = bootstrapServers;
        this.description = description;
        this.owned = owned;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** @return which provisioning path was taken and why, in one line */
    public String description() {
        return description;
    }

    /**
     * Creates {@code name} (LogAppendTime unless {@code topicConfig} says otherwise, the broker's
     * replication factor) and returns once every partition has a leader, so the first send does not
     * meet an unknown partition.
     */
    public void createTopic(String name, int partitions, Map<String, String> topicConfig) {
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
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create topic '" + name + "' on " + bootstrapServers + ": "
                    + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topic '" + name + "' on " + bootstrapServers, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic '" + name + "'", e);
        }
    }

    @Override
    public void close() throws Throwable {
        try {
            admin.close(Duration.ofSeconds(5));
        } finally {
            if (owned != null) {
                owned.close();
                log.debug("latency-lib-junit: stopped {}", description);
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
