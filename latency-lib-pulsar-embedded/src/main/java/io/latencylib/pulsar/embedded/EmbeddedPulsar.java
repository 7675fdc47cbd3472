package io.latencylib.pulsar.embedded;

import io.latencylib.pulsar.embedded.internal.BrokerClasspath;
import io.latencylib.pulsar.embedded.internal.StandaloneMain;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
public final class EmbeddedPulsar implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPulsar.class);
    /** The child JVM's log (warnings and errors) is handed to this logger. */
    private static final Logger BROKER_LOG = LoggerFactory.getLogger("io.latencylib.pulsar.embedded.broker");

    /** The broker interceptor that stamps every entry with the broker's publish time. */
    public static final String BROKER_TIMESTAMP_INTERCEPTOR =
            "org.apache.pulsar.common.intercept.AppendBrokerTimestampMetadataInterceptor";
    /** Default time allowed for the standalone to start (not counting the first download of its jars). */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

    private static final String HOST = "127.0.0.1";
    private static final int MAX_START_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 20;
    private static final long STOP_TIMEOUT_MS = 40_000;
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
    private final int bookiePort;
    private final List<String> jvmOptions;
    private final Duration startupTimeout;
    private final Deque<String> logTail = new ArrayDeque<>();
    private final Thread shutdownHook;
    private Process child;
    private boolean closed;

    private EmbeddedPulsar(Path directory, Map<String, String> brokerConfig, int bookiePort, List<String> jvmOptions,
                           Duration startupTimeout) {
        this.directory = directory;
        this.brokerConfig = brokerConfig;
        this.serviceUrl = "pulsar://" + HOST + ":" + brokerConfig.get("brokerServicePort");
        this.httpUrl = "http://" + HOST + ":" + brokerConfig.get("webServicePort");
        this.bookiePort = bookiePort;
        this.jvmOptions = jvmOptions;
        this.startupTimeout = startupTimeout;
        this.shutdownHook = new Thread(this::closeQuietly, "embedded-pulsar-shutdown");
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
    public Path directory() {
        return directory;
    }

    /** @return true while the standalone runs: started and neither stopped nor closed since */
    public synchronized boolean isRunning() {
        return child != null && child.isAlive();
    }

    /** @return the process id of the child JVM while it runs, else -1 */
    public synchronized long pid() {
        return isRunning() ? child.pid() : -1;
    }

    /**
     * Stops the standalone, keeping its ports and its data (messages stored on persistent topics
     * survive). Clients see the broker go away. Does nothing if it is already stopped.
     *
     * @throws IllegalStateException if it is closed, or did not stop cleanly (it was then stopped by force)
     */
    public synchronized void stop() {
        if (closed) {
            throw new IllegalStateException("this EmbeddedPulsar is closed");
        }
        if (child == null) {
            return;
        }
        Process p = child;
        child = null;
        try (OutputStream in = p.getOutputStream()) {
            in.write((StandaloneMain.STOP + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // already gone: waitFor tells
        }
        try {
            if (!p.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("the Pulsar standalone did not stop within " + STOP_TIMEOUT_MS
                        + " ms and was killed" + tail());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the Pulsar standalone; it was killed", e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("the Pulsar standalone stopped with exit status " + p.exitValue() + tail());
        }
    }

    /**
     * Starts the standalone again on the same ports with the same data; returns once a message can be
     * stored. Does nothing if it is running.
     *
     * @throws IllegalStateException if it is closed or cannot start (a port was taken meanwhile, for one);
     *                               it is then stopped and may be started again or closed
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("this EmbeddedPulsar is closed");
        }
        if (isRunning()) {
            return;
        }
        child = null;
        launch();
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
    public synchronized void close() {
        if (closed) {
            return;
        }
        IllegalStateException failure = null;
        try {
            stop();
        } catch (IllegalStateException e) {
            failure = e;
        }
        closed = true;
        try {
            StandaloneMain.deleteRecursively(directory);
        } catch (IOException e) {
            IllegalStateException d = new IllegalStateException("could not delete " + directory + ": " + e, e);
            if (failure == null) {
                failure = d;
            } else {
                failure.addSuppressed(d);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down: this is the hook
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("EmbeddedPulsar at {} did not close cleanly: {}", serviceUrl, e.toString());
        }
    }

    @Override
    public String toString() {
        return "EmbeddedPulsar[" + serviceUrl + ", " + directory + "]";
    }

    // ------------------------------------------------------------------------------- the child JVM

    private void launch() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(REQUIRED_JVM_OPTIONS);
        command.add("-Dlog4j2.configurationFile=classpath:io/latencylib/pulsar/embedded/internal/broker-log4j2.xml");
        command.addAll(jvmOptions); // after ours: a -D of the caller wins
        command.add("-cp");
        command.add(String.join(File.pathSeparator, BrokerClasspath.get().stream().map(Path::toString).toList()));
        command.add(StandaloneMain.class.getName());
        command.add(directory.resolve("standalone.conf").toString());
        command.add(directory.toString());
        command.add(Integer.toString(bookiePort));
        command.add(Long.toString(startupTimeout.toMillis()));
        command.add("true"); // delete the directory when this JVM dies without closing
        synchronized (logTail) {
            logTail.clear();
        }
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder(command).directory(directory.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a JVM for the Pulsar standalone: " + command.get(0), e);
        }
        child = p;
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread stdout = new Thread(() -> readProtocol(p, ready), "embedded-pulsar-" + p.pid() + "-stdout");
        stdout.setDaemon(true);
        stdout.start();
        Thread stderr = new Thread(() -> pumpLog(p), "embedded-pulsar-" + p.pid() + "-log");
        stderr.setDaemon(true);
        stderr.start();
        try {
            ready.get(startupTimeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
            LOG.info("Pulsar standalone started in {} ms on {} (child JVM {})", (System.nanoTime() - t0) / 1_000_000,
                    serviceUrl, p.pid());
        } catch (Exception e) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
                stderr.join(2_000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            child = null;
            String why = e instanceof TimeoutException ? "did not start within " + startupTimeout
                    : e instanceof InterruptedException ? "start was interrupted"
                    : "did not start: " + (e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                            ? e.getCause().getMessage() : e.toString());
            String tail = tail();
            if (tail.contains("Address already in use") || tail.contains("BindException")) {
                throw new PortTakenException("the Pulsar standalone could not bind one of its ports (broker "
                        + brokerConfig.get("brokerServicePort") + ", web " + brokerConfig.get("webServicePort")
                        + ", bookie " + bookiePort + "): another process took it" + tail);
            }
            throw new IllegalStateException("the Pulsar standalone " + why + " (child JVM exit status "
                    + (p.isAlive() ? "none, killed" : p.exitValue()) + "). The end of its log:" + tail, e);
        }
    }

    private static void readProtocol(Process p, CompletableFuture<Void> ready) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (StandaloneMain.READY.equals(line)) {
                    ready.complete(null);
                } else if (line.startsWith(StandaloneMain.FAILED)) {
                    ready.completeExceptionally(new IllegalStateException(line.substring(StandaloneMain.FAILED.length()).trim()));
                }
            }
        } catch (IOException ignored) {
            // the child ended
        }
        ready.completeExceptionally(new IllegalStateException("the child JVM ended before it served"));
    }

    /** The child's stderr (its log: warnings and errors) into broker.log, this JVM's log and the tail kept for errors. */
    private void pumpLog(Process p) {
        Path log = directory.resolve("broker.log");
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
             Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                     StandardOpenOption.APPEND)) {
            for (String line; (line = err.readLine()) != null; ) {
                BROKER_LOG.warn("{}", line);
                if (!line.startsWith("\tat ") && !line.startsWith("\t... ")) { // the tail for error messages: no stack frames
                    synchronized (logTail) {
                        if (logTail.size() == LOG_TAIL_LINES) {
                            logTail.removeFirst();
                        }
                        logTail.addLast(line);
                    }
                }
                file.write(line);
                file.write('\n');
                file.flush();
            }
        } catch (IOException ignored) {
            // the child ended, or the directory was deleted after it
        }
    }

    private String tail() {
        synchronized (logTail) {
            return logTail.isEmpty() ? "" : "\n" + String.join("\n", logTail);
        }
    }

    /** A port was taken between probing it and binding it. */
    private static final class PortTakenException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
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
            RuntimeException last = null;
            for (int attempt = 1; attempt <= MAX_START_ATTEMPTS; attempt++) {
                Path dir = createDirectory();
                EmbeddedPulsar pulsar = null;
                try {
                    int brokerPort = freePort();
                    int webPort = freePort();
                    int bookiePort = freePort();
                    Map<String, String> config = config(brokerPort, webPort);
                    writeConfig(dir, config);
                    pulsar = new EmbeddedPulsar(dir, Map.copyOf(config), bookiePort, jvmOptions, startupTimeout);
                    Runtime.getRuntime().addShutdownHook(pulsar.shutdownHook);
                    synchronized (pulsar) {
                        pulsar.launch();
                    }
                    return pulsar;
                } catch (PortTakenException e) {
                    last = e; // a free port was taken between probing and binding: try other ports
                    LOG.warn("Pulsar standalone could not bind its ports (attempt {} of {}), retrying", attempt,
                            MAX_START_ATTEMPTS);
                } catch (IOException e) {
                    last = new UncheckedIOException("could not prepare the Pulsar standalone's directory " + dir, e);
                } catch (RuntimeException e) {
                    last = e;
                }
                if (pulsar != null) {
                    pulsar.closeQuietly();
                } else {
                    try {
                        StandaloneMain.deleteRecursively(dir);
                    } catch (IOException e) {
                        LOG.warn("could not delete {}: {}", dir, e.toString());
                    }
                }
                if (!(last instanceof PortTakenException)) {
                    throw last;
                }
            }
            throw last;
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

        private Path createDirectory() {
            try {
                if (parentDirectory != null) {
                    Files.createDirectories(parentDirectory);
                    return Files.createTempDirectory(parentDirectory.toAbsolutePath(), "embedded-pulsar-");
                }
                return Files.createTempDirectory("embedded-pulsar-");
            } catch (IOException e) {
                throw new UncheckedIOException("could not create the Pulsar standalone's directory", e);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(HOST, 0));
            return s.getLocalPort();
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
