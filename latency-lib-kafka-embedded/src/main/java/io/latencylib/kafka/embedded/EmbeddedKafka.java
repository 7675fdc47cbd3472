package io.latencylib.kafka.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.latencylib.embedded.EmbeddedBroker;
import io.latencylib.embedded.internal.BrokerLogging;
import io.latencylib.embedded.internal.ChildProcess;
import io.latencylib.embedded.internal.DataDirectory;
import io.latencylib.embedded.internal.Lifecycle;
import io.latencylib.embedded.internal.Ports;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker running inside the current JVM, in KRaft combined mode (one node that
 * is both broker and controller). No Docker, no ZooKeeper.
 *
 * <p>Each instance formats a fresh temporary log directory, listens on free loopback ports and is
 * ready when {@link Builder#start()} returns: an Admin client has already talked to it successfully.
 * {@link #stop()} shuts the broker down and keeps its ports and data; {@link #start()} brings it back
 * on the same bootstrap address with the same topics and records (clients reconnect by themselves).
 * {@link #close()} stops the broker and deletes the directory.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
 *     kafka.createTopic("orders", 3, Map.of());
 *     Properties props = new Properties();
 *     props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
 *     // ... produce and consume with kafka-clients
 * }
 * }</pre>
 *
 * <p>Meant for tests and samples only. Instances are thread-safe; several may run in one JVM at
 * once.
 */
public final class EmbeddedKafka implements EmbeddedBroker {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** Default time allowed for the broker to start and answer an Admin request. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private static final String HOST = Ports.LOOPBACK;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String DIRECTORY_PREFIX = "embedded-kafka-";
    private static final int MAX_START_ATTEMPTS = 5;
    private static final Duration ADMIN_CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_ADMIN_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration PORT_RELEASE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The broker's loggers (the Scala server, controller, raft, storage, coordinators), set to WARN unless
     * the test's logging configuration gives them a level. The last three are shared with kafka-clients:
     * at INFO they log every broker's and client's configuration (hundreds of lines) and version.
     */
    private static final List<String> BROKER_LOGGERS = List.of("kafka", "state.change.logger",
            "org.apache.kafka.server", "org.apache.kafka.controller", "org.apache.kafka.raft",
            "org.apache.kafka.metadata", "org.apache.kafka.image", "org.apache.kafka.storage",
            "org.apache.kafka.coordinator", "org.apache.kafka.queue", "org.apache.kafka.snapshot",
            "org.apache.kafka.security", "org.apache.kafka.network", "org.apache.kafka.timeline",
            "org.apache.kafka.common.config.AbstractConfig", "org.apache.kafka.common.utils.AppInfoParser",
            "org.apache.kafka.common.metrics.Metrics");

    /** Distinct node ids per JVM, so that JMX names of brokers running side by side do not clash. */
    private static final AtomicInteger NEXT_NODE_ID = new AtomicInteger(1);

    private final KafkaConfig config;
    private final String bootstrapServers;
    /** Added listener name -> the address it binds (its advertised address is the caller's). */
    private final Map<String, String> extraListenerAddresses;
    /** The ports this class picked (and checks before a restart); empty when the caller fixed the listeners. */
    private final int[] ownPorts;
    private final Duration startupTimeout;
    private final Lifecycle lifecycle;
    private KafkaRaftServer server;
    private Admin admin;

    private EmbeddedKafka(KafkaConfig config, String bootstrapServers, Map<String, String> extraListenerAddresses,
                          int[] ownPorts, Duration startupTimeout, Path directory) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.extraListenerAddresses = Map.copyOf(extraListenerAddresses);
        this.ownPorts = ownPorts;
        this.startupTimeout = startupTimeout;
        // registers the shutdown hook: a JVM stopped without close() (Ctrl-C, SIGTERM) still stops the
        // broker and deletes its data; a throughput run leaves tens of GB otherwise
        this.lifecycle = new Lifecycle("Embedded Kafka " + bootstrapServers, directory, true, new Lifecycle.Actions() {
            @Override
            public void start() {
                startServer();
            }

            @Override
            public void stop() {
                stopServer();
            }
        });
    }

    /**
     * Returns a builder of a broker; {@code EmbeddedKafka.builder().start()} starts one with the
     * default single-node configuration.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The address clients use to reach this broker, as {@code host:port}, suitable for
     * {@code bootstrap.servers}. It stays the same across {@link #stop()} and {@link #start()}.
     *
     * @return the bootstrap servers string
     */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * The address ({@code host:port}) the broker binds for a listener added with
     * {@link Builder#advertisedListener(String, int, String)}: where a proxy in front of it forwards to.
     * It stays the same across {@link #stop()} and {@link #start()}.
     *
     * @param name the listener's name, as given to the builder
     * @return the bound address
     * @throws IllegalArgumentException if no such listener was added
     */
    public String listenerAddress(String name) {
        String address = extraListenerAddresses.get(name);
        if (address == null) {
            throw new IllegalArgumentException("no listener '" + name + "' was added with advertisedListener; added: "
                    + extraListenerAddresses.keySet());
        }
        return address;
    }

    /**
     * The temporary directory holding this broker's data (log and metadata). It survives
     * {@link #stop()} and is deleted by {@link #close()}.
     *
     * @return the data directory
     */
    @Override
    public Path directory() {
        return lifecycle.directory();
    }

    /**
     * Shuts the broker down and waits until it has; its ports stay reserved for it (they refuse
     * connections meanwhile) and its data stays. Does nothing if it is stopped.
     *
     * @throws IllegalStateException if it is closed or did not shut down cleanly
     */
    @Override
    public void stop() {
        lifecycle.stop();
    }

    /**
     * Starts the broker again on the same ports with the same data (topics, records, committed
     * offsets) and returns once an Admin client has talked to it. Does nothing if it runs.
     *
     * @throws IllegalStateException if it is closed, or cannot start (another process took one of its
     *                               ports, say); it is then stopped and may be started again
     */
    @Override
    public void start() {
        lifecycle.start();
    }

    @Override
    public boolean isRunning() {
        return lifecycle.isRunning();
    }

    /**
     * Creates a topic with replication factor 1 and returns once the broker reports it with a leader
     * for every partition.
     *
     * @param name         topic name
     * @param partitions   number of partitions, at least 1
     * @param topicConfigs topic-level configuration (for example {@code cleanup.policy}); may be empty
     * @throws IllegalStateException if the topic cannot be created (including when it already exists)
     *                               or does not appear in time
     */
    public void createTopic(String name, int partitions, Map<String, String> topicConfigs) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicConfigs, "topicConfigs");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        lifecycle.requireRunning("create topic '" + name + "'");
        Admin admin = currentAdmin();
        long deadline = System.nanoTime() + ADMIN_CALL_TIMEOUT.toNanos();
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(topicConfigs);
        try {
            admin.createTopics(List.of(topic), new CreateTopicsOptions().timeoutMs(remainingMillis(deadline)))
                    .all()
                    .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            // The controller has committed the topic; wait until the broker's own metadata has it too,
            // so that the first producer or consumer does not see UNKNOWN_TOPIC_OR_PARTITION.
            while (true) {
                try {
                    TopicDescription description = admin
                            .describeTopics(Set.of(name),
                                    new DescribeTopicsOptions().timeoutMs(remainingMillis(deadline)))
                            .allTopicNames()
                            .get(remainingMillis(deadline), TimeUnit.MILLISECONDS)
                            .get(name);
                    if (description != null && description.partitions().size() == partitions
                            && description.partitions().stream().map(TopicPartitionInfo::leader)
                                    .allMatch(leader -> leader != null && !leader.isEmpty())) {
                        return;
                    }
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new TimeoutException("topic not visible on the broker");
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not create topic '" + name + "' on " + bootstrapServers
                    + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out after " + ADMIN_CALL_TIMEOUT.toSeconds()
                    + " s creating topic '" + name + "' on " + bootstrapServers, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic '" + name + "'", e);
        }
    }

    /**
     * Shuts the broker down if it runs, waits for it to stop, and deletes its temporary directory.
     * Idempotent; concurrent callers wait for the first one to finish.
     *
     * @throws IllegalStateException if the broker did not shut down cleanly or the directory could not
     *                               be deleted (the remaining steps are still attempted)
     */
    @Override
    public void close() {
        lifecycle.close();
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers + "]";
    }

    /**
     * Runs a broker for another process: prints one line {@code BOOTSTRAP_SERVERS=<host:port>} to
     * standard output, then runs until standard input reaches end-of-file (the parent closed it, or
     * died), then shuts the broker down and deletes its data. Anything else the broker would print to
     * standard output goes to standard error.
     *
     * <p>Each argument of the form {@code key=value} is applied as a broker property override.
     * Exits with status 1 if the broker cannot be started, 2 for a malformed argument.
     *
     * <p>A broker that a test kills (SIGKILL) and starts again in a new JVM on the same address and data
     * gets its ports and log directory from the caller: {@code node.id}, {@code listeners},
     * {@code advertised.listeners}, {@code controller.quorum.voters} and {@code log.dirs} (formatted on the
     * first start, reused by the next; the caller deletes it, this JVM deletes only its own directory). A
     * lower {@code broker.session.timeout.ms} shortens the restart: the restarted controller refuses the
     * new broker's registration until the killed one's session has expired (9 s by default). The Kafka
     * adapter's fault tests do this ({@code KillableKafka} in latency-lib-kafka's tests).
     *
     * @param args optional {@code key=value} broker property overrides
     * @throws IOException if reading standard input fails
     */
    public static void main(String[] args) throws IOException {
        PrintStream protocol = ChildProcess.reserveStdout();
        Builder builder = builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                System.err.println("Embedded Kafka: expected key=value (a broker property), got '" + arg + "'");
                System.exit(2);
                return;
            }
            builder.brokerProperty(arg.substring(0, eq), arg.substring(eq + 1));
        }
        EmbeddedKafka kafka;
        try {
            kafka = builder.start();
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        ChildProcess.serveUntilStdinCloses(protocol, Map.of("BOOTSTRAP_SERVERS", kafka.bootstrapServers()));
        kafka.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Startup

    private static EmbeddedKafka start(Map<String, String> overrides, Map<String, AddedListener> extraListeners,
                                       Duration startupTimeout, Path parent) {
        BrokerLogging.requireWorkingSlf4j("Embedded Kafka");
        BrokerLogging.quiet(BROKER_LOGGERS);
        long startNanos = System.nanoTime();
        long deadline = startNanos + startupTimeout.toNanos();
        // Ports are picked by probing; another process may grab one before the broker binds it.
        // Retry with fresh ports, unless the caller fixed the listeners.
        boolean portsAreOurs = !overrides.containsKey("listeners")
                && !overrides.containsKey("controller.quorum.voters");
        if (!extraListeners.isEmpty() && !portsAreOurs) {
            throw new IllegalArgumentException("advertisedListener cannot be combined with brokerProperty(\"listeners\""
                    + " or \"controller.quorum.voters\"): give every listener through brokerProperty instead");
        }
        EmbeddedKafka kafka = Ports.retryOnBindFailure("Embedded Kafka", portsAreOurs ? MAX_START_ATTEMPTS : 1,
                deadline, () -> startOnce(overrides, extraListeners, startupTimeout, parent, portsAreOurs));
        LOG.info("Embedded Kafka started at {} in {} ms", kafka.bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        return kafka;
    }

    private static EmbeddedKafka startOnce(Map<String, String> overrides, Map<String, AddedListener> extraListeners,
                                           Duration startupTimeout, Path parent, boolean portsAreOurs) {
        Path directory = DataDirectory.create(parent, DIRECTORY_PREFIX);
        EmbeddedKafka kafka;
        try {
            int[] ports = Ports.freeLoopbackPorts(2 + extraListeners.size());
            int nodeId = NEXT_NODE_ID.getAndIncrement();
            Properties props = defaultProperties(nodeId, ports[0], ports[1], directory, startupTimeout);
            Map<String, String> extraAddresses = new LinkedHashMap<>();
            int next = 2;
            for (Map.Entry<String, AddedListener> listener : extraListeners.entrySet()) {
                String name = listener.getKey();
                int port = listener.getValue().port();
                if (port == 0) {
                    port = ports[next];
                } else {
                    ports[next] = port;
                }
                next++;
                String bound = HOST + ":" + port;
                extraAddresses.put(name, bound);
                props.setProperty("listeners", props.getProperty("listeners") + "," + name + "://" + bound);
                props.setProperty("advertised.listeners",
                        props.getProperty("advertised.listeners") + "," + name + "://" + listener.getValue().advertised());
                props.setProperty("listener.security.protocol.map",
                        props.getProperty("listener.security.protocol.map") + "," + name + ":PLAINTEXT");
            }
            props.putAll(overrides);
            KafkaConfig config = new KafkaConfig(props, false);
            kafka = new EmbeddedKafka(config, bootstrapServers(props, config.controllerListenerNames()),
                    extraAddresses, portsAreOurs ? ports : new int[0], startupTimeout, directory);
        } catch (RuntimeException e) {
            deleteQuietly(directory);
            throw new IllegalStateException("Embedded Kafka failed while building the broker configuration: "
                    + describeChain(e), e);
        }
        try {
            kafka.lifecycle.start();
            return kafka;
        } catch (RuntimeException e) {
            try {
                kafka.lifecycle.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Lifecycle action: formats the log directories the first time, starts the server, waits for it. */
    private void startServer() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        String step = "waiting for its ports " + Arrays.toString(ownPorts) + " to be free";
        try {
            Ports.awaitFree(lifecycle.toString(), PORT_RELEASE_TIMEOUT, ownPorts);

            if (!isFormatted(config)) {
                step = "formatting the log directories " + config.logDirs();
                format(config);
            }

            step = "starting the KRaft server (broker+controller) on " + config.originals().get("listeners");
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();

            step = "waiting for the broker at " + bootstrapServers + " to answer an Admin describeCluster";
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin-" + config.nodeId(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    (int) Math.min(Integer.MAX_VALUE, ADMIN_CALL_TIMEOUT.toMillis())));
            awaitReady(admin, deadline, startupTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Embedded Kafka: interrupted while " + step, e);
        } catch (Exception e) {
            throw new IllegalStateException("Embedded Kafka failed while " + step + ": " + describeChain(e), e);
        }
    }

    /** Lifecycle action: closes the admin client and shuts the server down; copes with a partial start. */
    private void stopServer() {
        if (admin != null) {
            try {
                admin.close(CLOSE_ADMIN_TIMEOUT);
            } catch (RuntimeException e) {
                LOG.warn("Closing the admin client of embedded Kafka {} failed", bootstrapServers, e);
            }
            admin = null;
        }
        if (server != null) {
            KafkaRaftServer stopping = server;
            server = null;
            try {
                stopping.shutdown();
                stopping.awaitShutdown();
            } catch (RuntimeException e) {
                throw new IllegalStateException("Embedded Kafka broker " + bootstrapServers
                        + " did not shut down cleanly: " + describeChain(e), e);
            }
        }
        LOG.debug("Embedded Kafka {} stopped", bootstrapServers);
    }

    private Admin currentAdmin() {
        synchronized (lifecycle) { // the monitor the lifecycle's transitions hold
            if (admin == null) {
                throw new IllegalStateException("Embedded Kafka " + bootstrapServers + " is not running");
            }
            return admin;
        }
    }

    private static boolean isFormatted(KafkaConfig config) {
        return Files.exists(Path.of(config.metadataLogDir(), "meta.properties"));
    }

    private static void deleteQuietly(Path directory) {
        try {
            DataDirectory.deleteRecursively(directory);
        } catch (IOException e) {
            LOG.warn("Could not delete {} after a failed start: {}", directory, e.toString());
        }
    }

    private static Properties defaultProperties(int nodeId, int brokerPort, int controllerPort,
                                                Path dataDirectory, Duration startupTimeout) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(nodeId));
        p.setProperty("controller.quorum.voters", nodeId + "@" + HOST + ":" + controllerPort);
        p.setProperty("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.setProperty("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        p.setProperty("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
        p.setProperty("inter.broker.listener.name", BROKER_LISTENER);
        p.setProperty("log.dirs", dataDirectory.resolve("kraft-logs").toString());

        // Single node: every internal topic must live with one replica.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "true");

        // Fast and light for tests.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        p.setProperty("server.max.startup.time.ms", Long.toString(startupTimeout.toMillis()));
        return p;
    }

    private static void format(KafkaConfig config) throws Exception {
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
                .setNodeId(config.nodeId())
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(config.logDirs())
                .setMetadataLogDirectory(config.metadataLogDir())
                .setControllerListenerName(config.controllerListenerNames().get(0));
        formatter.run();
    }

    private static void awaitReady(Admin admin, long deadline, Duration startupTimeout)
            throws InterruptedException {
        Throwable lastFailure = null;
        while (System.nanoTime() - deadline < 0) {
            int remaining = remainingMillis(deadline);
            try {
                Collection<Node> nodes = admin
                        .describeCluster(new DescribeClusterOptions().timeoutMs(remaining))
                        .nodes()
                        .get(remaining, TimeUnit.MILLISECONDS);
                if (!nodes.isEmpty()) {
                    return;
                }
                lastFailure = new IllegalStateException("describeCluster returned no nodes");
            } catch (ExecutionException e) {
                lastFailure = e.getCause();
            } catch (TimeoutException e) {
                lastFailure = e;
            }
        }
        throw new IllegalStateException("no successful describeCluster within the startup timeout of "
                + startupTimeout.toMillis() + " ms"
                + (lastFailure == null ? "" : "; last failure: " + lastFailure), lastFailure);
    }

    /** Picks the first non-controller listener, preferring advertised.listeners. */
    private static String bootstrapServers(Properties props, List<String> controllerListenerNames) {
        String listeners = props.getProperty("advertised.listeners");
        if (listeners == null || listeners.isBlank()) {
            listeners = props.getProperty("listeners", "");
        }
        for (String listener : listeners.split(",")) {
            String trimmed = listener.trim();
            int sep = trimmed.indexOf("://");
            if (sep <= 0) {
                continue;
            }
            if (controllerListenerNames.contains(trimmed.substring(0, sep))) {
                continue;
            }
            String hostPort = trimmed.substring(sep + 3);
            return hostPort.startsWith(":") ? "localhost" + hostPort : hostPort;
        }
        throw new IllegalStateException("no broker listener found in '" + listeners + "'");
    }

    /** The messages along a cause chain, most general first, without repeats. */
    private static String describeChain(Throwable t) {
        List<String> parts = new ArrayList<>();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String part = c instanceof IllegalStateException || c.getMessage() == null
                    ? String.valueOf(c.getMessage() == null ? c.getClass().getName() : c.getMessage())
                    : c.getClass().getSimpleName() + ": " + c.getMessage();
            if (parts.stream().noneMatch(p -> p.endsWith(part))) {
                parts.add(part);
            }
        }
        return String.join(" <- ", parts);
    }

    private static int remainingMillis(long deadlineNanos) {
        long remaining = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, remaining));
    }

    /** A listener added with {@link Builder#advertisedListener(String, int, String)}. */
    private record AddedListener(int port, String advertised) {
    }

    /**
     * Configures and starts an {@link EmbeddedKafka}. Not thread-safe; use once.
     */
    public static final class Builder {

        private final Map<String, String> overrides = new LinkedHashMap<>();
        private final Map<String, AddedListener> extraListeners = new LinkedHashMap<>();
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private Path parentDirectory;

        private Builder() {
        }

        /**
         * Sets a broker configuration property, overriding the default (for example
         * {@code auto.create.topics.enable=false}). Any broker config key may be given.
         *
         * @param key   broker config name
         * @param value its value
         * @return this builder
         */
        public Builder brokerProperty(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Adds a client listener named {@code name} (PLAINTEXT) on loopback port {@code port} (0: a
         * free one), advertised to clients as {@code advertisedHostPort} instead. Kafka clients
         * connect to the address the broker advertises, not to the one they bootstrapped with, so
         * this is how a proxy in front of the broker stays on the path of every connection: the proxy
         * listens at {@code advertisedHostPort} and forwards to this listener
         * ({@link EmbeddedKafka#listenerAddress(String)}), and the client bootstraps at the proxy.
         * The default listener ({@link EmbeddedKafka#bootstrapServers()}) is unchanged and serves
         * everyone else.
         *
         * <pre>{@code
         * int port = Ports.freeLoopbackPorts(1)[0];                 // the broker's end of the link
         * try (LinkDelay link = LinkDelay.to(Ports.LOOPBACK, port);  // connects to it when a client comes
         *      EmbeddedKafka kafka = EmbeddedKafka.builder().advertisedListener("PROXIED", port, link.address()).start()) {
         *     consumerProps.put("bootstrap.servers", link.address());
         *     link.delayToClient(Duration.ofMillis(20));             // every broker -> consumer byte 20 ms late
         * }
         * }</pre>
         *
         * <p>Cannot be combined with {@code brokerProperty("listeners", ...)}.
         *
         * @param name               listener name, e.g. {@code PROXIED} (not {@code PLAINTEXT} or {@code CONTROLLER})
         * @param port               loopback port the broker binds for it, or 0 for a free one
         * @param advertisedHostPort {@code host:port} clients of this listener are told to connect to
         * @return this builder
         */
        public Builder advertisedListener(String name, int port, String advertisedHostPort) {
            Objects.requireNonNull(name, "name");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            Objects.requireNonNull(advertisedHostPort, "advertisedHostPort");
            if (!name.matches("[A-Z][A-Z0-9_]*") || name.equals(BROKER_LISTENER) || name.equals(CONTROLLER_LISTENER)) {
                throw new IllegalArgumentException("listener name must be upper case letters, digits and _, and not "
                        + BROKER_LISTENER + " or " + CONTROLLER_LISTENER + "; was '" + name + "'");
            }
            if (!advertisedHostPort.matches("[^:/\\s]+:\\d+")) {
                throw new IllegalArgumentException("advertisedHostPort must be host:port, was '" + advertisedHostPort + "'");
            }
            extraListeners.put(name, new AddedListener(port, advertisedHostPort));
            return this;
        }

        /**
         * Creates the broker's data directory inside {@code parent} (created if missing) instead of
         * the system temporary directory, e.g. under {@code target/}. It is still deleted on close.
         *
         * @param parent a directory
         * @return this builder
         */
        public Builder parentDirectory(Path parent) {
            this.parentDirectory = Objects.requireNonNull(parent, "parent");
            return this;
        }

        /**
         * Sets how long {@link #start()} may take before failing; default
         * {@link EmbeddedKafka#DEFAULT_STARTUP_TIMEOUT}.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder startupTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive, was " + timeout);
            }
            this.startupTimeout = timeout;
            return this;
        }

        /**
         * Formats a fresh temporary directory, starts the broker and waits until an Admin client can
         * talk to it.
         *
         * @return a running broker; close it when done
         * @throws IllegalStateException if startup fails or times out; the temporary directory is
         *                               deleted in that case
         */
        public EmbeddedKafka start() {
            return EmbeddedKafka.start(Map.copyOf(overrides), new LinkedHashMap<>(extraListeners), startupTimeout,
                    parentDirectory);
        }
    }
}
