package io.latencylib.pulsar.embedded;

import io.latencylib.embedded.EmbeddedBroker;
import io.latencylib.embedded.internal.ChildProcess;
import io.latencylib.embedded.internal.DataDirectory;
import io.latencylib.embedded.internal.Lifecycle;
import io.latencylib.embedded.internal.Ports;
import io.latencylib.pulsar.embedded.internal.BrokerClasspath;
import io.latencylib.pulsar.embedded.internal.StandaloneMain;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Pulsar standalone (broker, one bookie, RocksDB metadata store) in a child JVM, for
 * tests and samples. No Docker, no ZooKeeper, and none of the broker's jars on the caller's classpath:
 * the child runs {@code org.apache.pulsar:pulsar-broker} and its dependencies, which Maven Resolver
 * puts into the local Maven repository the first time (from Maven Central), so an application's own
 * (shaded) {@code pulsar-client} never meets the broker's unshaded one.
 *
 * <p>Each instance has a fresh temporary directory, listens on free loopback ports and is ready when
 * {@link Builder#start()} returns: a message can be stored in {@code public/default}. {@link #stop()}
 * and {@link #start()} restart it on the same ports with the same data; {@link #close()} stops it and
 * deletes the directory. The child JVM stops when this JVM dies, however it dies (it watches its stdin),
 * and then deletes the directory itself. By default the broker stamps every entry with its publish time
 * and hands that to clients ({@code Message.getBrokerPublishTime()}), which is what splits the publish
 * stage from the commit stage in latency-lib.
 *
 * <pre>{@code
 * try (EmbeddedPulsar pulsar = EmbeddedPulsar.builder().start()) {
 *     PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl()).build();
 *     pulsar.createPartitionedTopic("persistent://public/default/orders", 3);
 *     ...
 * }
 * }</pre>
 *
 * <p>Meant for tests and samples only. Thread-safe: the lifecycle methods are serialised.
 */
public final class EmbeddedPulsar implements EmbeddedBroker {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPulsar.class);

    /** The broker interceptor that stamps every entry with the broker's publish time. */
    public static final String BROKER_TIMESTAMP_INTERCEPTOR =
            "org.apache.pulsar.common.intercept.AppendBrokerTimestampMetadataInterceptor";
    /** Default time allowed for the standalone to start (not counting the first download of its jars). */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

    private static final String HOST = Ports.LOOPBACK;
    private static final String DIRECTORY_PREFIX = "embedded-pulsar-";
    private static final int MAX_START_ATTEMPTS = 3;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration PORT_RELEASE_TIMEOUT = Duration.ofSeconds(10);
    /** Options the broker needs on Java 17 (as Pulsar's own scripts give them); they also spare warnings. */
    private static final List<String> REQUIRED_JVM_OPTIONS = List.of(
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util.zip=ALL-UNNAMED",
            "--add-opens=java.base/sun.net=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens=java.management/sun.management=ALL-UNNAMED",
            "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dpulsar.allocator.exit_on_oom=true");

    private final Path directory;
    private final Map<String, String> brokerConfig;
    private final String serviceUrl;
    private final String httpUrl;
    private final int[] ports; // broker, web, bookie
    private final List<String> jvmOptions;
    private final Duration startupTimeout;
    private final Lifecycle lifecycle;
    private ChildProcess child;

    private EmbeddedPulsar(Path directory, Map<String, String> brokerConfig, int[] ports, List<String> jvmOptions,
                           Duration startupTimeout) {
        this.directory = directory;
        this.brokerConfig = brokerConfig;
        this.serviceUrl = "pulsar://" + HOST + ":" + ports[0];
        this.httpUrl = "http://" + HOST + ":" + ports[1];
        this.ports = ports;
        this.jvmOptions = jvmOptions;
        this.startupTimeout = startupTimeout;
        // registers the shutdown hook: a JVM stopped without close() still stops the child and deletes the data
        this.lifecycle = new Lifecycle("Embedded Pulsar " + serviceUrl, directory, true, new Lifecycle.Actions() {
            @Override
            public void start() {
                launch();
            }

            @Override
            public void stop() {
                halt();
            }
        });
    }

    /** @return a builder; {@link Builder#start()} starts the standalone */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the binary protocol URL for clients, e.g. {@code pulsar://127.0.0.1:41234}; the same after a restart */
    public String serviceUrl() {
        return serviceUrl;
    }

    /** @return the HTTP URL of the admin REST API, e.g. {@code http://127.0.0.1:41235}; the same after a restart */
    public String httpUrl() {
        return httpUrl;
    }

    /** @return the broker configuration it runs with (every key written to its configuration file) */
    public Map<String, String> brokerConfig() {
        return brokerConfig;
    }

    /** @return true when the broker hands its publish time to clients ({@code Message.getBrokerPublishTime()}) */
    public boolean brokerTimestamps() {
        return "true".equals(brokerConfig.get("exposingBrokerEntryMetadataToClientEnabled"))
                && brokerConfig.getOrDefault("brokerEntryMetadataInterceptors", "").contains(BROKER_TIMESTAMP_INTERCEPTOR);
    }

    /** @return the directory holding the configuration, the metadata store, the bookie's data and {@code broker.log} */
    @Override
    public Path directory() {
        return directory;
    }

    /** @return true while the standalone runs: started and neither stopped nor closed since */
    @Override
    public boolean isRunning() {
        return lifecycle.isRunning();
    }

    /** @return the process id of the child JVM while it runs, else -1 */
    public long pid() {
        synchronized (lifecycle) { // the monitor the lifecycle's transitions hold
            return child != null && child.isAlive() ? child.pid() : -1;
        }
    }

    /**
     * Stops the standalone, keeping its ports and its data (messages stored on persistent topics
     * survive). Clients see the broker go away. Does nothing if it is already stopped.
     *
     * @throws IllegalStateException if it is closed, or did not stop cleanly (it was then stopped by force)
     */
    @Override
    public void stop() {
        lifecycle.stop();
    }

    /**
     * Starts the standalone again on the same ports with the same data; returns once a message can be
     * stored. Does nothing if it is running.
     *
     * @throws IllegalStateException if it is closed or cannot start (a port was taken meanwhile, for one);
     *                               it is then stopped and may be started again or closed
     */
    @Override
    public void start() {
        lifecycle.start();
    }

    /**
     * Creates a partitioned topic through the admin REST API (no admin client needed).
     *
     * @param topic      full name, e.g. {@code persistent://public/default/orders}, or a short name in {@code public/default}
     * @param partitions at least 1
     */
    public void createPartitionedTopic(String topic, int partitions) {
        createPartitionedTopic(httpUrl, topic, partitions);
    }

    /**
     * Creates a partitioned topic through the admin REST API of any Pulsar broker.
     *
     * @param httpUrl    the broker's HTTP URL, e.g. {@code http://localhost:8080}
     * @param topic      full name, or a short name in {@code public/default}
     * @param partitions at least 1
     * @throws IllegalStateException when the broker refuses (a topic of that name already exists, for one)
     */
    public static void createPartitionedTopic(String httpUrl, String topic, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        String path = topic.contains("://") ? topic.replace("://", "/") : "persistent/public/default/" + topic;
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpUrl + "/admin/v2/" + path + "/partitions"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(Integer.toString(partitions)))
                .build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("could not create partitioned topic " + topic + " (" + partitions
                        + " partitions): HTTP " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not reach the Pulsar admin API at " + httpUrl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + topic, e);
        }
    }

    /**
     * Stops the standalone if it runs and deletes its directory. Idempotent; a closed standalone cannot
     * be started again.
     *
     * @throws IllegalStateException if it did not stop cleanly or its directory could not be deleted
     *                               (every step is still attempted)
     */
    @Override
    public void close() {
        lifecycle.close();
    }

    @Override
    public String toString() {
        return "EmbeddedPulsar[" + serviceUrl + ", " + directory + "]";
    }

    // ------------------------------------------------------------------------------- the child JVM

    /** Lifecycle action: runs the child JVM and waits until it reports that a message can be stored. */
    private void launch() {
        Ports.awaitFree(lifecycle.toString(), PORT_RELEASE_TIMEOUT, ports);
        List<String> classpath = new ArrayList<>();
        classpath.add(BrokerClasspath.codeSource(ChildProcess.class).toString()); // latency-lib-embedded
        BrokerClasspath.get().forEach(p -> classpath.add(p.toString()));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(REQUIRED_JVM_OPTIONS);
        command.add("-Dlog4j2.configurationFile=classpath:io/latencylib/pulsar/embedded/internal/broker-log4j2.xml");
        command.addAll(jvmOptions); // after ours: a -D of the caller wins
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath));
        command.add(StandaloneMain.class.getName());
        command.add(directory.resolve("standalone.conf").toString());
        command.add(directory.toString());
        command.add(Integer.toString(ports[2]));
        command.add(Long.toString(startupTimeout.toMillis()));
        long t0 = System.nanoTime();
        child = ChildProcess.start(lifecycle.toString() + " (child JVM)", command, directory, null,
                directory.resolve("broker.log"));
        Map<String, String> reported = child.awaitValues(Set.of(StandaloneMain.SERVICE_URL),
                t0 + startupTimeout.toNanos() + TimeUnit.SECONDS.toNanos(10));
        if (!serviceUrl.equals(reported.get(StandaloneMain.SERVICE_URL))) {
            throw new IllegalStateException(lifecycle + ": the child JVM serves " + reported + " instead");
        }
        LOG.info("Pulsar standalone started in {} ms on {} (child JVM {})", (System.nanoTime() - t0) / 1_000_000,
                serviceUrl, child.pid());
    }

    /** Lifecycle action: stops the child JVM (it stops the standalone, keeping the data); copes with a partial start. */
    private void halt() {
        if (child == null) {
            return;
        }
        ChildProcess stopping = child;
        child = null;
        boolean clean = stopping.stop(null, STOP_TIMEOUT);
        if (!clean) {
            throw new IllegalStateException(lifecycle + " did not stop within " + STOP_TIMEOUT.toSeconds()
                    + " s and was killed. " + stopping.logTail());
        }
        int status;
        try {
            status = stopping.process().waitFor(); // exited already (ChildProcess.stop saw it go): reaps it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(lifecycle + ": interrupted while stopping", e);
        }
        if (status != 0) {
            throw new IllegalStateException(lifecycle + " stopped with exit status " + status + ". " + stopping.logTail());
        }
    }

    /** Settings of an {@link EmbeddedPulsar}. */
    public static final class Builder {
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private boolean brokerTimestamps = true;
        private Path parentDirectory;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private List<String> jvmOptions = List.of("-Xmx512m");

        private Builder() {
        }

        /**
         * Overrides one setting of the broker (and bookie) configuration file.
         *
         * @param key   e.g. {@code managedLedgerNewEntriesCheckDelayInMillis}
         * @param value e.g. {@code 50}
         * @return this builder
         */
        public Builder brokerProperty(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Whether the broker stamps entries with its publish time and exposes it to clients (default
         * true): {@code brokerEntryMetadataInterceptors=}{@value #BROKER_TIMESTAMP_INTERCEPTOR} and
         * {@code exposingBrokerEntryMetadataToClientEnabled=true}. Without it, latency-lib reports
         * publish and commit merged.
         *
         * @param on false for a broker without its publish time
         * @return this builder
         */
        public Builder brokerTimestamps(boolean on) {
            this.brokerTimestamps = on;
            return this;
        }

        /**
         * Where the standalone's temporary directory is made (default: the system's temporary directory).
         *
         * @param parent created if missing
         * @return this builder
         */
        public Builder parentDirectory(Path parent) {
            this.parentDirectory = Objects.requireNonNull(parent, "parent");
            return this;
        }

        /**
         * Time allowed for each start, from the child JVM's launch until a message can be stored (the
         * first download of the broker's jars comes before and is not counted).
         *
         * @param timeout default {@link #DEFAULT_STARTUP_TIMEOUT}
         * @return this builder
         */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Options of the child JVM, replacing the default {@code -Xmx512m}; e.g. {@code -Xmx1g}, or
         * {@code -Dlog4j2.configurationFile=/path/log4j2.xml} for a broker log other than warnings and errors.
         *
         * @param options JVM options
         * @return this builder
         */
        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /**
         * Starts the standalone; returns when a message can be stored. The first start on a machine
         * downloads the broker's jars into the local Maven repository (see the module's README).
         *
         * @return the running standalone
         * @throws IllegalStateException if it could not start (the reason and the end of its log are in the message)
         */
        public EmbeddedPulsar start() {
            BrokerClasspath.get(); // resolved (downloaded the first time) before any timeout runs
            long t0 = System.nanoTime();
            return Ports.retryOnBindFailure("Embedded Pulsar", MAX_START_ATTEMPTS, t0 + startupTimeout.toNanos(),
                    this::startOnce);
        }

        private EmbeddedPulsar startOnce() {
            Path dir = DataDirectory.create(parentDirectory, DIRECTORY_PREFIX);
            EmbeddedPulsar pulsar;
            try {
                int[] ports = Ports.freeLoopbackPorts(3);
                Map<String, String> config = config(ports[0], ports[1]);
                writeConfig(dir, config);
                pulsar = new EmbeddedPulsar(dir, Map.copyOf(config), ports, jvmOptions, startupTimeout);
            } catch (IOException | RuntimeException e) {
                try {
                    DataDirectory.deleteRecursively(dir);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw new IllegalStateException("Embedded Pulsar could not prepare its directory " + dir + ": " + e, e);
            }
            try {
                pulsar.lifecycle.start();
                return pulsar;
            } catch (RuntimeException e) {
                try {
                    pulsar.lifecycle.close();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }

        private Map<String, String> config(int brokerPort, int webPort) {
            Map<String, String> c = new LinkedHashMap<>();
            c.put("clusterName", "standalone");
            c.put("advertisedAddress", HOST);
            c.put("bindAddress", HOST);
            c.put("brokerServicePort", Integer.toString(brokerPort));
            c.put("webServicePort", Integer.toString(webPort));
            c.put("allowEphemeralPorts", "true");
            c.put("managedLedgerDefaultEnsembleSize", "1");
            c.put("managedLedgerDefaultWriteQuorum", "1");
            c.put("managedLedgerDefaultAckQuorum", "1");
            if (brokerTimestamps) {
                c.put("brokerEntryMetadataInterceptors", BROKER_TIMESTAMP_INTERCEPTOR);
                c.put("exposingBrokerEntryMetadataToClientEnabled", "true");
            }
            c.put("functionsWorkerEnabled", "false");
            c.put("brokerDeleteInactiveTopicsEnabled", "false");
            c.put("brokerShutdownTimeoutMs", "5000");
            // a restart binds the same ports at once
            c.put("serverSockReuseAddr", "true");
            // small caches and few threads: a test broker on a small machine
            c.put("managedLedgerCacheSizeMB", "64");
            c.put("dbStorage_writeCacheMaxSizeMb", "16");
            c.put("dbStorage_readAheadCacheMaxSizeMb", "16");
            c.put("numHttpServerThreads", "8");
            c.put("numOrderedExecutorThreads", "2");
            c.put("journalSyncData", "false"); // the bookie acknowledges once written, not once fsynced
            c.put("loadBalancerEnabled", "false");
            c.putAll(overrides);
            return c;
        }
    }

    private static void writeConfig(Path dir, Map<String, String> config) throws IOException {
        try (Writer w = Files.newBufferedWriter(dir.resolve("standalone.conf"), StandardCharsets.UTF_8)) {
            w.write("# written by latency-lib-pulsar-embedded\n");
            for (Map.Entry<String, String> e : config.entrySet()) {
                w.write(e.getKey() + "=" + e.getValue() + "\n");
            }
        }
    }
}
