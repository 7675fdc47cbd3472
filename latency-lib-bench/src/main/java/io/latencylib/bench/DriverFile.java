package io.latencylib.bench;

import com.rabbitmq.client.ConnectionFactory;
import io.latencylib.LatencyRecorder;
import io.latencylib.kafka.KafkaLoadDriver;
import io.latencylib.load.LoadDriver;
import io.latencylib.pulsar.PulsarLoadDriver;
import io.latencylib.rabbitmq.RabbitLoadDriver;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.SizeUnit;
import org.apache.pulsar.client.api.SubscriptionType;

/**
 * An OpenMessaging Benchmark driver file (driver-kafka/*.yaml, driver-pulsar/pulsar.yaml,
 * driver-rabbitmq/rabbitmq.yaml), read unchanged and mapped onto the library's load drivers. Keys are
 * those of OMB's driver configuration classes; an unknown key or a value that cannot be honoured is an
 * error naming it. With embedded brokers the few settings a single local broker cannot have (the
 * bootstrap address, a replication factor of 3...) are replaced, and every replacement is listed in
 * {@link #overrides()} (printed and written into the results).
 */
final class DriverFile {

    static final List<String> COMMON = List.of("name", "driverClass");
    static final List<String> KAFKA = List.of("name", "driverClass", "replicationFactor", "topicConfig",
            "commonConfig", "producerConfig", "consumerConfig");
    static final List<String> PULSAR = List.of("name", "driverClass", "client", "producer", "consumer");
    static final List<String> PULSAR_CLIENT = List.of("serviceUrl", "httpUrl", "clientMemoryLimitMB", "ioThreads",
            "connectionsPerBroker", "maxConcurrentLookupRequests", "namespacePrefix", "clusterName", "topicType",
            "persistence", "tlsAllowInsecureConnection", "tlsEnableHostnameVerification", "tlsTrustCertsFilePath",
            "authentication");
    static final List<String> RABBIT = List.of("name", "driverClass", "amqpUris", "messagePersistence", "queueType",
            "producerCreationDelay", "producerCreationBatchSize", "consumerCreationDelay", "consumerCreationBatchSize");

    /** Where the embedded brokers listen, when the run uses them. */
    record Embedded(String kafkaBootstrap, String pulsarServiceUrl, String pulsarHttpUrl, String amqpUri) {
    }

    private final YamlFile y;
    private final String system;
    private final String name;
    private final List<String> overrides = new ArrayList<>();

    private DriverFile(YamlFile y, String system, String name) {
        this.y = y;
        this.system = system;
        this.name = name;
    }

    static DriverFile read(Path file) throws IOException {
        YamlFile y = YamlFile.read(file, "driver");
        String cls = y.string("driverClass", "");
        String system;
        if (cls.contains(".kafka.") || y.has("commonConfig") || y.has("producerConfig")) {
            system = "kafka";
            y.onlyKeys(KAFKA);
        } else if (cls.contains(".pulsar.") || y.has("client")) {
            system = "pulsar";
            y.onlyKeys(PULSAR);
        } else if (cls.contains(".rabbitmq.") || y.has("amqpUris")) {
            system = "rabbitmq";
            y.onlyKeys(RABBIT);
        } else {
            throw new BenchException(file + ": driverClass '" + cls + "' is none of OMB's Kafka, Pulsar or RabbitMQ"
                    + " drivers (io.openmessaging.benchmark.driver.kafka.KafkaBenchmarkDriver, ...pulsar.Pulsar"
                    + "BenchmarkDriver, ...rabbitmq.RabbitMqBenchmarkDriver)");
        }
        DriverFile d = new DriverFile(y, system, y.string("name", system));
        d.validate();
        return d;
    }

    String system() {
        return system;
    }

    String name() {
        return name;
    }

    Path file() {
        return y.file();
    }

    /** @return the settings replaced to run against the embedded broker, one line each */
    List<String> overrides() {
        return List.copyOf(overrides);
    }

    /** Checks every value before anything starts, so that a bad file fails at once. */
    private void validate() {
        switch (system) {
            case "kafka" -> {
                int rf = y.integer("replicationFactor", 1);
                if (rf < 1) {
                    throw y.unsupported("replicationFactor", rf, "give at least 1");
                }
                props("commonConfig");
                props("producerConfig");
                props("consumerConfig");
                props("topicConfig");
            }
            case "pulsar" -> {
                YamlFile c = y.section("client");
                c.onlyKeys(PULSAR_CLIENT);
                c.section("persistence").onlyKeys(List.of("ensembleSize", "writeQuorum", "ackQuorum",
                        "deduplicationEnabled"));
                c.section("authentication").onlyKeys(List.of("plugin", "data"));
                if (c.section("authentication").has("plugin")) {
                    throw c.unsupported("authentication.plugin", c.section("authentication").string("plugin", ""),
                            "authentication is not supported by this runner yet");
                }
                if (c.has("tlsTrustCertsFilePath") || c.bool("tlsAllowInsecureConnection", false)
                        || c.bool("tlsEnableHostnameVerification", false)) {
                    throw c.unsupported("tls*", "set", "TLS is not supported by this runner yet; leave the tls keys"
                            + " empty/false");
                }
                String type = c.string("topicType", "persistent");
                if (!type.equals("persistent") && !type.equals("non-persistent")) {
                    throw c.unsupported("topicType", type, "persistent or non-persistent");
                }
                y.section("producer").onlyKeys(List.of("batchingEnabled", "batchingMaxPublishDelayMs",
                        "batchingMaxBytes", "blockIfQueueFull", "pendingQueueSize"));
                YamlFile consumer = y.section("consumer");
                consumer.onlyKeys(List.of("receiverQueueSize", "subscriptionType"));
                String sub = consumer.string("subscriptionType", "Failover");
                try {
                    SubscriptionType.valueOf(sub);
                } catch (IllegalArgumentException e) {
                    throw consumer.unsupported("subscriptionType", sub, "Exclusive, Shared, Failover or Key_Shared");
                }
            }
            default -> {
                if (y.strings("amqpUris").size() > 1) {
                    throw y.unsupported("amqpUris", y.strings("amqpUris"), "one URI: this runner connects to one"
                            + " node (a cluster behind one address works)");
                }
                String qt = y.string("queueType", "CLASSIC");
                if (!qt.equals("CLASSIC") && !qt.equals("QUORUM")) {
                    throw y.unsupported("queueType", qt, "CLASSIC or QUORUM");
                }
                y.bool("messagePersistence", false);
            }
        }
    }

    /**
     * @param partitions partitions of the topic (Kafka, Pulsar); RabbitMQ has none and takes 1
     * @param embedded   where the embedded brokers are, or null to use the addresses of the file
     * @param deleteAfterUse drop each destination when the driver closes (the probes of a throughput search)
     */
    LoadDriver create(int partitions, Embedded embedded, boolean deleteAfterUse) {
        overrides.clear();
        return switch (system) {
            case "kafka" -> kafka(partitions, embedded, deleteAfterUse);
            case "pulsar" -> pulsar(partitions, embedded);
            default -> rabbit(partitions, embedded);
        };
    }

    private LoadDriver kafka(int partitions, Embedded embedded, boolean deleteAfterUse) {
        Map<String, Object> common = props("commonConfig");
        if (embedded != null) {
            Object was = common.put("bootstrap.servers", embedded.kafkaBootstrap());
            overrides.add("commonConfig bootstrap.servers=" + was + " -> " + embedded.kafkaBootstrap()
                    + " (the embedded Kafka)");
        }
        if (!common.containsKey("bootstrap.servers")) {
            throw y.unsupported("commonConfig", "without bootstrap.servers", "give bootstrap.servers=host:9092, or"
                    + " run with --embedded");
        }
        Map<String, Object> producer = new HashMap<>(common);
        producer.putAll(props("producerConfig"));
        Map<String, Object> consumer = new HashMap<>(common);
        consumer.putAll(props("consumerConfig"));
        short rf = (short) y.integer("replicationFactor", 1);
        Map<String, String> topicConfig = new HashMap<>();
        props("topicConfig").forEach((k, v) -> topicConfig.put(k, String.valueOf(v)));
        if (embedded != null && rf > 1) {
            overrides.add("replicationFactor " + rf + " -> 1 (the embedded Kafka is one broker)");
            rf = 1;
            String isr = topicConfig.remove(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
            if (isr != null) {
                overrides.add("topicConfig min.insync.replicas=" + isr + " -> 1 (one broker)");
            }
        }
        String was = topicConfig.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
        if (was != null && !was.equals("LogAppendTime")) {
            overrides.add("topicConfig message.timestamp.type=" + was + " -> LogAppendTime (the broker's append"
                    + " instant splits publish from commit)");
        }
        KafkaLoadDriver driver = KafkaLoadDriver.create(producer, consumer, partitions);
        short replication = rf;
        Map<String, Object> adminConfig = new HashMap<>(common);
        return new Delegating(driver) {
            private String topic;

            @Override
            public void open(String destination, int producers, int consumers, LatencyRecorder recorder) {
                topic = destination;
                try (Admin admin = Admin.create(adminConfig)) {
                    admin.createTopics(Set.of(new NewTopic(destination, partitions, replication).configs(topicConfig)))
                            .all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + destination + ": " + e.getCause(),
                                e);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("could not create topic " + destination + ": " + e, e);
                }
                awaitConfigs(destination);
                super.open(destination, producers, consumers, recorder);
            }

            /** The driver reads the topic's configuration next: wait until the broker answers for it (30 s at most). */
            private void awaitConfigs(String destination) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                try (Admin admin = Admin.create(adminConfig)) {
                    org.apache.kafka.common.config.ConfigResource r = new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, destination);
                    while (true) {
                        try {
                            admin.describeConfigs(Set.of(r)).all().get(10, TimeUnit.SECONDS);
                            admin.describeTopics(Set.of(destination)).allTopicNames().get(10, TimeUnit.SECONDS);
                            return;
                        } catch (ExecutionException e) {
                            if (System.nanoTime() > deadline) {
                                throw new IllegalStateException("topic " + destination + " not described within 30 s: "
                                        + e.getCause(), e);
                            }
                            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // metadata not there yet
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("topic " + destination + " not described within 10 s", e);
                }
            }

            @Override
            public void close() {
                super.close();
                if (deleteAfterUse && topic != null) {
                    try (Admin admin = Admin.create(adminConfig)) {
                        admin.deleteTopics(Set.of(topic)).all().get(60, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        // the next probe does not depend on it; the disk does, so say so
                        System.err.println("could not delete probe topic " + topic + ": " + e);
                    }
                }
            }
        };
    }

    private LoadDriver pulsar(int partitions, Embedded embedded) {
        YamlFile c = y.section("client");
        String serviceUrl = c.string("serviceUrl", null);
        String httpUrl = c.string("httpUrl", null);
        String namespace = c.string("namespacePrefix", "public/default");
        YamlFile persistence = c.section("persistence");
        if (embedded != null) {
            overrides.add("client.serviceUrl " + serviceUrl + " -> " + embedded.pulsarServiceUrl() + ", httpUrl "
                    + httpUrl + " -> " + embedded.pulsarHttpUrl() + " (the embedded Pulsar)");
            serviceUrl = embedded.pulsarServiceUrl();
            httpUrl = embedded.pulsarHttpUrl();
            overrides.add("client.namespacePrefix " + namespace + " -> public/default (the standalone's namespace)");
            namespace = "public/default";
            if (persistence.has("ensembleSize") || persistence.has("writeQuorum") || persistence.has("ackQuorum")) {
                overrides.add("client.persistence ensembleSize/writeQuorum/ackQuorum " + persistence.integer(
                        "ensembleSize", 3) + "/" + persistence.integer("writeQuorum", 3) + "/"
                        + persistence.integer("ackQuorum", 2) + " -> 1/1/1 (the standalone has one bookie)");
            }
        } else {
            if (persistence.has("ensembleSize") || persistence.has("writeQuorum") || persistence.has("ackQuorum")
                    || persistence.bool("deduplicationEnabled", false)) {
                throw c.unsupported("persistence", "...", "namespace policies are not set by this runner: set them"
                        + " with pulsar-admin namespaces set-persistence on " + namespace + " and remove the keys");
            }
            if (!namespace.matches("[^/\\s]+/[^/\\s]+")) {
                throw c.unsupported("namespacePrefix", namespace, "tenant/namespace of an existing namespace: this"
                        + " runner uses it as it is and creates none");
            }
        }
        if (serviceUrl == null) {
            throw c.unsupported("serviceUrl", "missing", "give pulsar://host:6650, or run with --embedded");
        }
        YamlFile p = y.section("producer");
        YamlFile k = y.section("consumer");
        PulsarClient client;
        try {
            client = PulsarClient.builder().serviceUrl(serviceUrl)
                    .ioThreads(c.integer("ioThreads", 8))
                    .connectionsPerBroker(c.integer("connectionsPerBroker", 8))
                    .maxConcurrentLookupRequests(c.integer("maxConcurrentLookupRequests", 1000))
                    .memoryLimit((long) c.number("clientMemoryLimitMB", 256), SizeUnit.MEGA_BYTES)
                    .build();
        } catch (PulsarClientException e) {
            throw new IllegalStateException("could not create the Pulsar client for " + serviceUrl + ": " + e, e);
        }
        String topicType = c.string("topicType", "persistent");
        PulsarLoadDriver.Builder b = PulsarLoadDriver.builder(client).namespace(namespace)
                .partitions(partitions > 1 ? partitions : 0)
                .batching(p.bool("batchingEnabled", true))
                .batchingMaxPublishDelay(Duration.ofMillis(p.integer("batchingMaxPublishDelayMs", 1)))
                .subscriptionType(SubscriptionType.valueOf(k.string("subscriptionType", "Failover")))
                .producer(pb -> pb.batchingMaxBytes(p.integer("batchingMaxBytes", 1024 * 1024))
                        .blockIfQueueFull(p.bool("blockIfQueueFull", true))
                        .maxPendingMessages(p.integer("pendingQueueSize", 0)))
                .consumer(cb -> cb.receiverQueueSize(k.integer("receiverQueueSize", 10_000)));
        if (httpUrl != null) {
            b.adminUrl(httpUrl);
        }
        String ns = namespace;
        PulsarLoadDriver driver = b.build();
        return new Delegating(driver) {
            @Override
            public void open(String destination, int producers, int consumers, LatencyRecorder recorder) {
                super.open(topicType + "://" + ns + "/" + destination, producers, consumers, recorder);
            }

            @Override
            public void close() {
                super.close();
            }
        };
    }

    private LoadDriver rabbit(int partitions, Embedded embedded) {
        if (partitions != 1) {
            throw new BenchException(y.file() + ": the workload asks for partitionsPerTopic: " + partitions
                    + ", which RabbitMQ cannot honour (a queue has no partitions; OMB's RabbitMQ driver ignores the"
                    + " key, this runner does not): use a workload with partitionsPerTopic: 1");
        }
        List<String> uris = y.strings("amqpUris");
        String uri = uris.isEmpty() ? null : uris.get(0);
        if (embedded != null) {
            overrides.add("amqpUris " + uris + " -> " + embedded.amqpUri() + " (the embedded RabbitMQ node)");
            uri = embedded.amqpUri();
        }
        if (uri == null) {
            throw y.unsupported("amqpUris", "[]", "give amqp://host, or run with --embedded");
        }
        ConnectionFactory f = new ConnectionFactory();
        try {
            f.setUri(uri);
        } catch (Exception e) {
            throw y.unsupported("amqpUris", uri, "an amqp:// URI (" + e.getMessage() + ")");
        }
        return RabbitLoadDriver.builder(f)
                .queueType(RabbitLoadDriver.QueueType.valueOf(y.string("queueType", "CLASSIC")))
                .persistent(y.bool("messagePersistence", false))
                .queues(1) // OMB: one queue per subscription, its consumers share it
                .build();
    }

    private Map<String, Object> props(String key) {
        String text = y.string(key, "");
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw y.unsupported(key, "...", "Java properties lines (key=value): " + e.getMessage());
        }
        Map<String, Object> out = new HashMap<>();
        p.forEach((k, v) -> out.put(String.valueOf(k).trim(), String.valueOf(v).trim()));
        return out;
    }

    /** A load driver that delegates everything (subclasses add topic preparation). */
    static class Delegating implements LoadDriver {
        private final LoadDriver d;

        Delegating(LoadDriver d) {
            this.d = d;
        }

        @Override
        public String system() {
            return d.system();
        }

        @Override
        public void open(String destination, int producers, int consumers, LatencyRecorder recorder) {
            d.open(destination, producers, consumers, recorder);
        }

        @Override
        public Sender sender(int index) {
            return d.sender(index);
        }

        @Override
        public void flush() {
            d.flush();
        }

        @Override
        public void close() {
            d.close();
        }
    }
}
