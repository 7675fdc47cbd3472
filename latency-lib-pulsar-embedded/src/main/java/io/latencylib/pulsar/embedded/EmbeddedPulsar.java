package io.latencylib.pulsar.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Pulsar standalone (broker, one bookie, RocksDB metadata store) running inside the
 * current JVM, or in a child JVM. No Docker, no ZooKeeper.
 *
 * <p>Each instance writes a fresh temporary directory, listens on free loopback ports and is ready
 * when {@link Builder#start()} returns: the {@code public/default} namespace exists. {@link #close()}
 * stops it and deletes the directory. By default the broker stamps every entry with its publish
 * time and hands that to clients ({@code Message.getBrokerPublishTime()}), which is what splits the
 * publish stage from the commit stage in latency-lib.
 *
 * <pre>{@code
 * try (EmbeddedPulsar pulsar = EmbeddedPulsar.builder().start()) {
 *     PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl()).build();
 *     pulsar.createPartitionedTopic("persistent://public/default/orders", 3);
 *     ...
 * }
 * }</pre>
 *
 * <p>Meant for tests and samples only. Started through {@code org.apache.pulsar.PulsarStandaloneStarter}
 * with {@code --no-functions-worker --no-stream-storage --wipe-data}; {@code PulsarStandaloneBuilder}
 * is not used because it ignores the configuration it is given.
 */
public final class EmbeddedPulsar implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPulsar.class);

    /** The broker interceptor that stamps every entry with the broker's publish time. */
    public static final String BROKER_TIMESTAMP_INTERCEPTOR =
            "org.apache.pulsar.common.intercept.AppendBrokerTimestampMetadataInterceptor";
    /** Default time allowed for the standalone to start. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

    private static final String HOST = "127.0.0.1";
    /** java.util.logging loggers quietened while a standalone runs (held: JUL keeps only weak references). */
    private static final List<java.util.logging.Logger> QUIET_JUL = new ArrayList<>();
    private static final int MAX_START_ATTEMPTS = 3;

    private final Path directory;
    private final boolean deleteDirectory;
    private final String serviceUrl;
    private final String httpUrl;
    private final Map<String, String> brokerConfig;
    private final AutoCloseable standalone; // in-process only
    private final Process child;                      // child JVM only
    private volatile boolean closed;

    private EmbeddedPulsar(Path directory, boolean deleteDirectory, String serviceUrl, String httpUrl,
                           Map<String, String> brokerConfig, AutoCloseable standalone, Process child) {
        this.directory = directory;
        this.deleteDirectory = deleteDirectory;
        this.serviceUrl = serviceUrl;
        this.httpUrl = httpUrl;
        this.brokerConfig = brokerConfig;
        this.standalone = standalone;
        this.child = child;
    }

    /** @return a standalone with the defaults, started in this JVM */
    public static EmbeddedPulsar start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** @return the binary protocol URL for clients, e.g. {@code pulsar://127.0.0.1:41234} */
    public String serviceUrl() {
        return serviceUrl;
    }

    /** @return the HTTP URL of the admin REST API, e.g. {@code http://127.0.0.1:41235} */
    public String httpUrl() {
        return httpUrl;
    }

    /** @return the broker configuration it was started with (every key written to its configuration file) */
    public Map<String, String> brokerConfig() {
        return brokerConfig;
    }

    /** @return true when the broker hands its publish time to clients ({@code Message.getBrokerPublishTime()}) */
    public boolean brokerTimestamps() {
        return "true".equals(brokerConfig.get("exposingBrokerEntryMetadataToClientEnabled"))
                && brokerConfig.getOrDefault("brokerEntryMetadataInterceptors", "").contains(BROKER_TIMESTAMP_INTERCEPTOR);
    }

    /** @return the directory holding the metadata store and the bookie's data */
    public Path directory() {
        return directory;
    }

    /** @return true when the standalone runs in a child JVM ({@link Builder#childJvm(boolean)}) */
    public boolean inChildJvm() {
        return child != null;
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

    /** Stops the standalone and deletes its directory (unless it was given with {@link Builder#directory}). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (standalone != null) {
            try {
                standalone.close();
            } catch (Exception e) {
                LOG.warn("Pulsar standalone did not shut down cleanly", e);
            }
        }
        if (child != null) {
            try {
                child.getOutputStream().close(); // the child shuts down when its stdin closes
            } catch (IOException ignored) {
                // already gone
            }
            try {
                if (!child.waitFor(30, TimeUnit.SECONDS)) {
                    child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                child.destroyForcibly();
            }
        }
        if (deleteDirectory) {
            deleteRecursively(directory);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedPulsar[" + serviceUrl + (child != null ? ", child JVM" : "") + "]";
    }

    /** Settings of an {@link EmbeddedPulsar}. */
    public static final class Builder {
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private boolean brokerTimestamps = true;
        private Path parentDirectory;
        private Path directory;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private boolean childJvm;
        private List<String> childJvmOptions = List.of("-Xmx512m");
        private String childClasspath;

        private Builder() {
        }

        /** Overrides one setting of the broker (and bookie) configuration file, e.g. {@code managedLedgerNewEntriesCheckDelayInMillis=50}. */
        public Builder brokerProperty(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Whether the broker stamps entries with its publish time and exposes it to clients (default
         * true): {@code brokerEntryMetadataInterceptors=}{@value #BROKER_TIMESTAMP_INTERCEPTOR} and
         * {@code exposingBrokerEntryMetadataToClientEnabled=true}. Without it, latency-lib reports
         * publish and commit merged.
         */
        public Builder brokerTimestamps(boolean on) {
            this.brokerTimestamps = on;
            return this;
        }

        /** Where the temporary directory is made (default: the system's temporary directory). */
        public Builder parentDirectory(Path parent) {
            this.parentDirectory = Objects.requireNonNull(parent, "parent");
            return this;
        }

        /** Use exactly this directory, wiped at start and kept after {@link #close()}. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Runs the standalone in a child JVM (default: in this JVM when pulsar-broker is on the
         * classpath, else in a child JVM). Use it for a second standalone with other settings next to
         * an in-process one, or to keep the broker's heap, threads, static state and dependencies out of
         * the JVM under test. The child's classpath: {@link #childClasspath(String)}; by default this JVM's
         * when it holds pulsar-broker, else this module's runtime dependencies as resolved when it was
         * built, looked up in the local Maven repository ({@code ~/.m2/repository}, or the system
         * property {@code latency.pulsar.m2Repository} / {@code maven.repo.local}).
         */
        public Builder childJvm(boolean childJvm) {
            this.childJvm = childJvm;
            return this;
        }

        /** JVM options of the child JVM (default {@code -Xmx512m}). */
        public Builder childJvmOptions(List<String> options) {
            this.childJvmOptions = List.copyOf(options);
            return this;
        }

        /** Classpath of the child JVM (default: this JVM's). */
        public Builder childClasspath(String classpath) {
            this.childClasspath = Objects.requireNonNull(classpath, "classpath");
            return this;
        }

        /** Starts the standalone; returns when it serves {@code public/default}. */
        public EmbeddedPulsar start() {
            RuntimeException last = null;
            for (int attempt = 1; attempt <= MAX_START_ATTEMPTS; attempt++) {
                try {
                    return childJvm || !brokerOnClasspath() ? startChild() : startInProcess();
                } catch (PortTakenException e) {
                    last = e; // a free port was taken between probing and binding: try other ports
                    LOG.warn("Pulsar standalone could not bind its ports (attempt {} of {}), retrying", attempt,
                            MAX_START_ATTEMPTS);
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

        private EmbeddedPulsar startInProcess() {
            quietJulLoggers();
            Path dir = prepareDirectory();
            boolean delete = directory == null;
            try {
                int brokerPort = freePort();
                int webPort = freePort();
                int bookiePort = freePort();
                Map<String, String> config = config(brokerPort, webPort);
                Path conf = writeConfig(dir, config);
                long t0 = System.nanoTime();
                AutoCloseable standalone = InProcessStandalone.start(new String[] {
                        "-c", conf.toString(),
                        "--metadata-dir", dir.resolve("metadata").toString(),
                        "--bookkeeper-dir", dir.resolve("bookkeeper").toString(),
                        "--zookeeper-dir", dir.resolve("zookeeper-unused").toString(),
                        "--bookkeeper-port", Integer.toString(bookiePort),
                        "--no-functions-worker", "--no-stream-storage", "--wipe-data"}, startupTimeout);
                EmbeddedPulsar pulsar = new EmbeddedPulsar(dir, delete, "pulsar://" + HOST + ":" + brokerPort,
                        "http://" + HOST + ":" + webPort, Map.copyOf(config), standalone, null);
                try {
                    awaitWritable(pulsar.serviceUrl(), t0 + startupTimeout.toNanos());
                } catch (RuntimeException e) {
                    pulsar.close();
                    throw e;
                }
                LOG.info("Pulsar standalone started in {} ms on pulsar://{}:{}", (System.nanoTime() - t0) / 1_000_000,
                        HOST, brokerPort);
                return pulsar;
            } catch (Exception | Error e) {
                if (delete) {
                    deleteRecursively(dir);
                }
                if (isBindFailure(e)) {
                    throw new PortTakenException(e);
                }
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                if (e instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("Pulsar standalone did not start: " + e, e);
            }
        }

        /**
         * Ready means a message can be stored: the broker answers as soon as it listens, but topics fail
         * ("not enough non-faulty bookies") until its bookie has registered, which takes longer on a busy machine.
         */
        private static void awaitWritable(String serviceUrl, long deadlineNanos) {
            try (org.apache.pulsar.client.api.PulsarClient client = org.apache.pulsar.client.api.PulsarClient.builder()
                    .serviceUrl(serviceUrl).operationTimeout(10, java.util.concurrent.TimeUnit.SECONDS).build()) {
                while (true) {
                    try (org.apache.pulsar.client.api.Producer<byte[]> probe = client.newProducer()
                            .topic("persistent://public/default/latency-readiness-probe")
                            .sendTimeout(10, java.util.concurrent.TimeUnit.SECONDS).create()) {
                        probe.send(new byte[0]);
                        return;
                    } catch (org.apache.pulsar.client.api.PulsarClientException e) {
                        if (System.nanoTime() > deadlineNanos) {
                            throw new IllegalStateException("Pulsar standalone started but could not store a message"
                                    + " before its startup timeout: " + e.getMessage(), e);
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); // then ask again
                    }
                }
            } catch (org.apache.pulsar.client.api.PulsarClientException e) {
                throw new IllegalStateException("could not create a Pulsar client for " + serviceUrl + ": " + e, e);
            }
        }

        private EmbeddedPulsar startChild() {
            Path dir = prepareDirectory();
            boolean delete = directory == null;
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(childJvmOptions);
            command.add("-cp");
            command.add(childClasspath != null ? childClasspath
                    : brokerOnClasspath() ? System.getProperty("java.class.path") : builtInClasspath());
            command.add(EmbeddedPulsar.class.getName());
            command.add("--directory=" + dir);
            command.add("--broker-timestamps=" + brokerTimestamps);
            overrides.forEach((k, v) -> command.add(k + "=" + v));
            Process process = null;
            try {
                process = new ProcessBuilder(command)
                        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child-jvm.log").toFile()))
                        .start();
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8));
                CompletableFuture<String[]> urls = new CompletableFuture<>();
                Process p = process;
                Thread reader = new Thread(() -> {
                    String service = null;
                    String http = null;
                    try {
                        for (String line; (line = out.readLine()) != null; ) {
                            if (line.startsWith("SERVICE_URL=")) {
                                service = line.substring("SERVICE_URL=".length());
                            } else if (line.startsWith("HTTP_URL=")) {
                                http = line.substring("HTTP_URL=".length());
                            }
                            if (service != null && http != null && !urls.isDone()) {
                                urls.complete(new String[] {service, http});
                            }
                        }
                    } catch (IOException ignored) {
                        // the child ended
                    }
                    if (!urls.isDone()) {
                        urls.completeExceptionally(new IllegalStateException("the child JVM closed its output before"
                                + " it reported its URLs (alive: " + p.isAlive() + "); see " + dir.resolve("child-jvm.log")));
                    }
                }, "embedded-pulsar-child-stdout");
                reader.setDaemon(true);
                reader.start();
                String[] got = urls.get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
                Map<String, String> config = readConfig(dir.resolve("standalone.conf"));
                return new EmbeddedPulsar(dir, delete, got[0], got[1], config, null, process);
            } catch (Exception e) {
                if (process != null) {
                    process.destroyForcibly();
                }
                String log = tail(dir.resolve("child-jvm.log"));
                if (delete) {
                    deleteRecursively(dir);
                }
                throw new IllegalStateException("Pulsar standalone did not start in a child JVM: " + e + log, e);
            }
        }

        private Path prepareDirectory() {
            try {
                if (directory != null) {
                    deleteRecursively(directory);
                    return Files.createDirectories(directory);
                }
                if (parentDirectory != null) {
                    Files.createDirectories(parentDirectory);
                    return Files.createTempDirectory(parentDirectory, "embedded-pulsar-");
                }
                return Files.createTempDirectory("embedded-pulsar-");
            } catch (IOException e) {
                throw new UncheckedIOException("could not create the standalone's directory", e);
            }
        }
    }

    /**
     * Runs a standalone in this process for another one: prints {@code SERVICE_URL=...} and
     * {@code HTTP_URL=...} on stdout once it serves, then runs until stdin is closed, shuts down and
     * exits with status 0. Arguments: {@code --directory=<dir>}, {@code --broker-timestamps=true|false},
     * and {@code key=value} broker overrides.
     */
    public static void main(String[] args) throws Exception {
        Builder builder = builder();
        for (String arg : args) {
            if (arg.startsWith("--directory=")) {
                builder.directory(Path.of(arg.substring("--directory=".length())));
            } else if (arg.startsWith("--broker-timestamps=")) {
                builder.brokerTimestamps(Boolean.parseBoolean(arg.substring("--broker-timestamps=".length())));
            } else {
                int eq = arg.indexOf('=');
                if (eq <= 0) {
                    System.err.println("expected key=value, got: " + arg);
                    System.exit(2);
                }
                builder.brokerProperty(arg.substring(0, eq), arg.substring(eq + 1));
            }
        }
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream())); // keep stdout for the URLs only
        EmbeddedPulsar pulsar = builder.start();
        out.println("SERVICE_URL=" + pulsar.serviceUrl());
        out.println("HTTP_URL=" + pulsar.httpUrl());
        out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // wait for the parent to close stdin
        }
        pulsar.close();
        System.exit(0);
    }

    // ---------------------------------------------------------------- helpers

    private static final String CLASSPATH_RESOURCE = "runtime-classpath.txt";

    static boolean brokerOnClasspath() {
        try {
            Class.forName("org.apache.pulsar.PulsarStandaloneStarter", false, EmbeddedPulsar.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * This module's classes and its runtime dependencies (pulsar-broker and everything it needs), from
     * the list the build wrote next to this class, found in the local Maven repository.
     */
    static String builtInClasspath() {
        String repo = System.getProperty("latency.pulsar.m2Repository", System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
        List<String> entries = new ArrayList<>();
        try {
            entries.add(Path.of(EmbeddedPulsar.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString());
            try (InputStream in = EmbeddedPulsar.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(CLASSPATH_RESOURCE + " is missing from latency-lib-pulsar-embedded");
                }
                String list = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                for (String entry : list.split("\\|")) {
                    if (entry.isBlank()) {
                        continue;
                    }
                    Path jar = Path.of(entry.trim().replace("M2_REPO", repo));
                    if (!Files.exists(jar)) {
                        throw new IllegalStateException("pulsar-broker is not on the classpath, and " + jar + " (a"
                                + " dependency of latency-lib-pulsar-embedded) is not in the local Maven repository " + repo
                                + ": resolve the module's dependencies (e.g. mvn dependency:resolve) or set"
                                + " -Dlatency.pulsar.m2Repository=<repository>");
                    }
                    entries.add(jar.toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** A port was taken between probing it and binding it. */
    private static final class PortTakenException extends RuntimeException {
        PortTakenException(Throwable cause) {
            super("a port of the standalone was taken: " + cause, cause);
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException
                    || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(HOST, 0));
            return s.getLocalPort();
        }
    }

    private static Path writeConfig(Path dir, Map<String, String> config) throws IOException {
        Path conf = dir.resolve("standalone.conf");
        try (Writer w = Files.newBufferedWriter(conf, StandardCharsets.UTF_8)) {
            w.write("# written by latency-lib-pulsar-embedded\n");
            for (Map.Entry<String, String> e : config.entrySet()) {
                w.write(e.getKey() + "=" + e.getValue() + "\n");
            }
        }
        return conf;
    }

    private static Map<String, String> readConfig(Path conf) throws IOException {
        Map<String, String> config = new LinkedHashMap<>();
        for (String line : Files.readAllLines(conf, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                config.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return Map.copyOf(config);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30),
                    lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Jersey (the broker's REST API) and OpenTelemetry log through java.util.logging, which SLF4J does
     * not govern: a WARNING per REST application ("WADL feature is disabled") and an INFO at first use.
     */
    private static synchronized void quietJulLoggers() {
        if (QUIET_JUL.isEmpty()) {
            for (String name : List.of("org.glassfish.jersey", "io.opentelemetry")) {
                java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
                logger.setLevel(java.util.logging.Level.SEVERE);
                QUIET_JUL.add(logger);
            }
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    try {
                        Files.delete(file);
                    } catch (NoSuchFileException ignored) {
                        // already gone
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    try {
                        Files.delete(d);
                    } catch (NoSuchFileException ignored) {
                        // already gone
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
