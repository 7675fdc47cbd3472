package io.latencylib.rabbitmq.embedded;

import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.latencylib.embedded.EmbeddedBroker;
import io.latencylib.embedded.internal.ChildProcess;
import io.latencylib.embedded.internal.DataDirectory;
import io.latencylib.embedded.internal.Lifecycle;
import io.latencylib.embedded.internal.Ports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, isolated RabbitMQ node started as a child process of this JVM: for tests, samples and
 * anyone who wants broker tests without Docker. It needs a local RabbitMQ installation (on Debian
 * or Ubuntu: {@code apt-get install -y rabbitmq-server}; the package's service need not run).
 *
 * <pre>{@code
 * try (LocalRabbitMqNode node = LocalRabbitMqNode.builder().start();
 *      Connection connection = node.connectionFactory().newConnection()) {
 *     Channel channel = connection.createChannel();
 *     // ... declare, publish, consume
 * }
 * }</pre>
 *
 * <p>Each node gets its own temporary directory (database, logs, pid file, an empty
 * enabled-plugins file, its own {@code rabbitmq.conf}, and {@code HOME}, which holds the Erlang
 * cookie), a unique node name, and free loopback ports for AMQP, Erlang distribution and a private
 * {@code epmd}. Nothing of a system-wide installation is read ({@code /etc/rabbitmq} is bypassed)
 * and nothing system-wide is started: the node does not use or start the shared {@code epmd} on
 * port 4369 but a private one, which is this JVM's child and is stopped with the node. The node
 * is ready when {@link Builder#start()} returns: an AMQP connection to it has succeeded.
 *
 * <p>It is an {@link EmbeddedBroker}: {@link #stop()} stops the node (SIGTERM, then SIGKILL of
 * whatever is left) and its {@code epmd}, keeping its ports, node name and database; {@link #start()}
 * starts it again with them, so durable queues and persistent messages survive, and clients with
 * automatic recovery reconnect. {@link #close()} stops it and deletes its directory; a JVM shutdown
 * hook does the same if the node is never closed. The node and its {@code epmd} run in process
 * groups of their own that are killed when this JVM dies, even by SIGKILL; the directory such a JVM
 * leaves is deleted by the next node started under the same parent directory. Several nodes may run
 * in one JVM at once. Works as root and as an ordinary user: the RabbitMQ start script is run
 * directly, not through the distribution's {@code /usr/sbin} wrapper (which switches to the
 * {@code rabbitmq} user).
 */
public final class LocalRabbitMqNode implements EmbeddedBroker {

    private static final Logger LOG = LoggerFactory.getLogger(LocalRabbitMqNode.class);

    /** Default time allowed for the node to start and accept an AMQP connection. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

    /** How to get a broker for tests; part of every failure message. */
    public static final String HOW_TO_GET_A_BROKER = "To get a RabbitMQ broker for tests: install RabbitMQ"
            + " locally (Debian/Ubuntu: `apt-get install -y rabbitmq-server`; no service needs to run),"
            + " or point the tests at a running broker with the system property latency.rabbitmq.uri or"
            + " the environment variable LATENCY_RABBITMQ_URI (e.g. amqp://guest:guest@127.0.0.1:5672),"
            + " or use Testcontainers with a Docker engine.";

    /**
     * Where RabbitMQ's own start script is looked for. Not {@code /usr/sbin/rabbitmq-server}: on
     * Debian that is a wrapper that switches to the {@code rabbitmq} user as root and refuses to
     * run as anyone else.
     */
    private static final List<Path> SERVER_SCRIPT_CANDIDATES = List.of(
            Paths.get("/usr/lib/rabbitmq/bin/rabbitmq-server"), // Debian, Ubuntu, RabbitMQ's deb and rpm
            Paths.get("/opt/homebrew/sbin/rabbitmq-server"), // Homebrew on Apple silicon
            Paths.get("/usr/local/sbin/rabbitmq-server")); // Homebrew on Intel, generic-unix installs

    private static final String HOST = Ports.LOOPBACK;
    private static final String USER = "guest";
    private static final String PASSWORD = "guest";
    private static final String DIRECTORY_PREFIX = "latency-rabbitmq-";
    private static final int MAX_START_ATTEMPTS = 3;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration GRACEFUL_STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration EPMD_STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration EPMD_START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PORT_RELEASE_TIMEOUT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String nodeName;
    private final Path directory;
    private final int amqpPort;
    private final int distPort;
    private final int epmdPort;
    private final Path script;
    private final Path epmdBinary;
    private final Duration startupTimeout;
    private final Lifecycle lifecycle;
    private ChildProcess epmd;
    private ChildProcess server;

    private LocalRabbitMqNode(Path directory, int[] ports, Path script, Path epmdBinary, Duration startupTimeout) {
        this.directory = directory;
        this.amqpPort = ports[0];
        this.distPort = ports[1];
        this.epmdPort = ports[2];
        this.script = script;
        this.epmdBinary = epmdBinary;
        this.startupTimeout = startupTimeout;
        this.nodeName = "latency-" + HexFormat.of().formatHex(randomBytes(5)) + "@localhost";
        this.lifecycle = new Lifecycle("RabbitMQ node " + nodeName, directory, true, new Lifecycle.Actions() {
            @Override
            public void start() {
                launch();
            }

            @Override
            public void stop() {
                stopProcesses();
            }
        });
    }

    /**
     * A builder of a node; {@code LocalRabbitMqNode.builder().start()} starts one with the defaults
     * (system temp directory, 60 s startup timeout, no extra config).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether a RabbitMQ start script this class can use is installed (see {@link #HOW_TO_GET_A_BROKER}
     * otherwise). Does not check that it works; {@link Builder#start()} does.
     *
     * @return true if a start script was found
     */
    public static boolean isInstalled() {
        return findServerScript().isPresent();
    }

    /**
     * The loopback port on which the node accepts AMQP 0-9-1 connections; the same across restarts.
     *
     * @return the port
     */
    public int amqpPort() {
        return amqpPort;
    }

    /**
     * {@code amqp://guest:guest@127.0.0.1:<port>}: guest may log in because the connection is local.
     *
     * @return the URI
     */
    public String amqpUri() {
        return "amqp://" + USER + ":" + PASSWORD + "@" + HOST + ":" + amqpPort;
    }

    /**
     * A new factory for connections to this node (host, port, guest/guest set); callers may change it.
     *
     * @return the factory
     */
    public ConnectionFactory connectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(HOST);
        factory.setPort(amqpPort);
        factory.setUsername(USER);
        factory.setPassword(PASSWORD);
        factory.setVirtualHost("/");
        return factory;
    }

    /**
     * The node's Erlang node name, {@code latency-<random>@localhost}; the same across restarts.
     *
     * @return the node name
     */
    public String nodeName() {
        return nodeName;
    }

    /**
     * The node's own directory (database, logs, config); kept by {@link #stop()}, deleted by
     * {@link #close()}.
     *
     * @return the directory
     */
    @Override
    public Path directory() {
        return directory;
    }

    /**
     * The operating-system pid of the broker (the Erlang VM), as written to its pid file.
     *
     * @return the pid
     * @throws IllegalStateException if the node is not running
     */
    public long pid() {
        synchronized (lifecycle) { // the monitor of the lifecycle's transitions
            lifecycle.requireRunning("get the pid of the broker");
            return brokerProcess().map(ProcessHandle::pid)
                    .orElseThrow(() -> new IllegalStateException("RabbitMQ node " + nodeName + " is not running"));
        }
    }

    /**
     * Stops the node and its private {@code epmd}, keeping its ports, node name and database: SIGTERM
     * to the broker and a clean stop (about a second), then SIGKILL of whatever is left. Does nothing
     * if it is stopped.
     *
     * @throws IllegalStateException if the node is closed
     */
    @Override
    public void stop() {
        lifecycle.stop();
    }

    /**
     * Starts the node again with the same ports, node name and database (durable queues and
     * persistent messages are back) and returns once it accepts an AMQP connection. Does nothing if
     * it runs.
     *
     * @throws IllegalStateException if the node is closed or does not start (another process took one
     *                               of its ports, say); it is then stopped and may be started again
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
     * Stops the node and its private {@code epmd} if they run, and deletes its directory. Idempotent.
     *
     * @throws IllegalStateException if the directory could not be deleted
     */
    @Override
    public void close() {
        long started = System.nanoTime();
        boolean wasRunning = lifecycle.isRunning();
        lifecycle.close();
        if (wasRunning) {
            LOG.info("Stopped RabbitMQ node {} in {} ms", nodeName, elapsedMillis(started));
        }
    }

    @Override
    public String toString() {
        return "LocalRabbitMqNode[" + nodeName + ", " + HOST + ":" + amqpPort + ", " + directory + "]";
    }

    // ------------------------------------------------------------------------------------------
    // Start

    private static LocalRabbitMqNode start(Path parent, Duration startupTimeout, Map<String, String> config,
            Path explicitScript) {
        Path script = explicitScript != null ? explicitScript : findServerScript().orElse(null);
        if (script == null || !Files.isExecutable(script)) {
            throw new IllegalStateException("Cannot start a local RabbitMQ node: no RabbitMQ start script found ("
                    + (script != null ? script + " is not executable" : "looked for " + SERVER_SCRIPT_CANDIDATES)
                    + "). " + HOW_TO_GET_A_BROKER);
        }
        Path epmdBinary = findEpmd().orElseThrow(() -> new IllegalStateException(
                "Cannot start a local RabbitMQ node: Erlang's epmd was not found on PATH or under"
                        + " /usr/lib/erlang (RabbitMQ is installed at " + script + " but Erlang looks"
                        + " incomplete). " + HOW_TO_GET_A_BROKER));
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        // Another process may take one of the free ports between our probe and the node binding it.
        return Ports.retryOnBindFailure("RabbitMQ node", MAX_START_ATTEMPTS, deadline, () -> {
            Path directory = DataDirectory.create(parent, DIRECTORY_PREFIX);
            LocalRabbitMqNode node = new LocalRabbitMqNode(directory, Ports.freeLoopbackPorts(3), script, epmdBinary,
                    startupTimeout);
            try {
                node.writeFiles(config);
                node.lifecycle.start();
                return node;
            } catch (RuntimeException | Error e) {
                try {
                    node.lifecycle.close();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        });
    }

    private void writeFiles(Map<String, String> config) {
        try {
            Files.createDirectories(directory.resolve("mnesia"));
            Files.createDirectories(directory.resolve("log"));
            Files.createDirectories(directory.resolve("conf.d"));
            Files.writeString(directory.resolve("enabled_plugins"), "");
            Files.writeString(directory.resolve("rabbitmq-env.conf"), "");
            Files.writeString(directory.resolve("rabbitmq.conf"), configText(config));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write the files of RabbitMQ node " + nodeName + " in " + directory
                    + ": " + e, e);
        }
    }

    /** Lifecycle action: the private epmd, then the node; returns once the node accepts AMQP. */
    private void launch() {
        long started = System.nanoTime();
        long deadline = started + startupTimeout.toNanos();
        Ports.awaitFree(lifecycle.toString(), PORT_RELEASE_TIMEOUT, amqpPort, distPort, epmdPort);
        startEpmd(deadline);
        LOG.debug("Starting RabbitMQ node {} from {} in {} (AMQP {}:{}, distribution {}, epmd {})",
                nodeName, script, directory, HOST, amqpPort, distPort, epmdPort);
        server = ChildProcess.startWatched("RabbitMQ node " + nodeName, List.of(script.toString()), directory,
                this::configureEnvironment, directory.resolve("console.log"));
        awaitAmqp(deadline);
        server.snapshotTree();
        LOG.info("Started RabbitMQ node {} on {}:{} in {} ms", nodeName, HOST, amqpPort, elapsedMillis(started));
    }

    /**
     * RabbitMQ 3.10 will not boot without an epmd to ask for the names on this host, and an Erlang
     * node started without one spawns a shared daemon on port 4369 that outlives it. So each node
     * gets a private epmd on its own loopback port, as a watched child of this JVM, and the Erlang VMs
     * are told never to start one themselves ({@code -start_epmd false}).
     */
    private void startEpmd(long deadline) {
        Path log = directory.resolve("epmd.log");
        epmd = ChildProcess.startWatched("epmd of RabbitMQ node " + nodeName,
                List.of(epmdBinary.toString(), "-port", Integer.toString(epmdPort), "-address", HOST), directory,
                env -> env.keySet().removeIf(LocalRabbitMqNode::isErlangOrRabbitVariable), log);
        long epmdDeadline = Math.min(deadline, System.nanoTime() + EPMD_START_TIMEOUT.toNanos());
        while (!Ports.acceptsConnections(epmdPort)) {
            if (waitForExit(epmd.process(), POLL_INTERVAL)) {
                String output = ChildProcess.tail(log, 20);
                String lower = output.toLowerCase(Locale.ROOT);
                if (lower.contains("address already in use") || lower.contains("eaddrinuse")) {
                    throw new PortTakenException("epmd could not listen on port " + epmdPort + ": " + output.strip());
                }
                throw new IllegalStateException("epmd for RabbitMQ node " + nodeName + " exited with code "
                        + epmd.process().exitValue() + " before listening on " + HOST + ":" + epmdPort
                        + ". Its output:\n" + output + "\n" + HOW_TO_GET_A_BROKER);
            }
            if (System.nanoTime() >= epmdDeadline) {
                throw new IllegalStateException("epmd for RabbitMQ node " + nodeName + " did not listen on "
                        + HOST + ":" + epmdPort + " within " + formatDuration(EPMD_START_TIMEOUT) + ". "
                        + HOW_TO_GET_A_BROKER);
            }
        }
    }

    private void configureEnvironment(Map<String, String> env) {
        // Whatever the caller's environment says about RabbitMQ or Erlang must not leak into this node.
        env.keySet().removeIf(LocalRabbitMqNode::isErlangOrRabbitVariable);
        env.remove("NOTIFY_SOCKET"); // would make the start script behave as under systemd
        String path = env.get("PATH");
        if (path == null || path.isBlank()) {
            env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        }
        String dir = directory.toString();
        env.put("HOME", dir); // the Erlang cookie is created here
        env.put("RABBITMQ_NODENAME", nodeName);
        env.put("RABBITMQ_NODE_IP_ADDRESS", HOST);
        env.put("RABBITMQ_NODE_PORT", Integer.toString(amqpPort));
        env.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
        env.put("RABBITMQ_MNESIA_BASE", directory.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", directory.resolve("log").toString());
        env.put("RABBITMQ_PID_FILE", directory.resolve("rabbitmq.pid").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", directory.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_CONFIG_FILE", directory.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_CONFIG_FILES", directory.resolve("conf.d").toString());
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", directory.resolve("advanced.config").toString());
        env.put("RABBITMQ_CONF_ENV_FILE", directory.resolve("rabbitmq-env.conf").toString());
        env.put("ERL_EPMD_PORT", Integer.toString(epmdPort));
        // For every Erlang VM the script and the broker start, including RabbitMQ's "epmd starter".
        env.put("ERL_FLAGS", "-start_epmd false");
        // The distribution port listens on loopback only.
        env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
        env.put("ERL_CRASH_DUMP", directory.resolve("erl_crash.dump").toString());
    }

    private static boolean isErlangOrRabbitVariable(String name) {
        return name.startsWith("RABBITMQ_") || name.startsWith("ERL_");
    }

    private void awaitAmqp(long deadline) {
        ConnectionFactory probe = connectionFactory();
        probe.setAutomaticRecoveryEnabled(false);
        probe.setTopologyRecoveryEnabled(false);
        Exception last = null;
        while (true) {
            if (!server.isAlive()) {
                throw startFailure("exited with code " + server.process().exitValue()
                        + " before accepting AMQP connections", null);
            }
            if (!epmd.isAlive()) {
                throw startFailure("lost its epmd (exit code " + epmd.process().exitValue() + ")", null);
            }
            int remaining = (int) Math.max(1, Math.min(5_000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            probe.setConnectionTimeout(remaining);
            probe.setHandshakeTimeout(remaining);
            try (Connection ignored = probe.newConnection("latency-lib readiness probe")) {
                return;
            } catch (IOException | TimeoutException e) {
                last = e;
            }
            if (System.nanoTime() >= deadline) {
                throw startFailure("did not accept an AMQP connection on " + HOST + ":" + amqpPort + " within "
                        + formatDuration(startupTimeout), last);
            }
            waitForExit(server.process(), POLL_INTERVAL);
        }
    }

    private RuntimeException startFailure(String what, Exception cause) {
        Path console = directory.resolve("console.log");
        String message = "RabbitMQ node " + nodeName + " (" + directory + ") " + what
                + (cause != null ? " (last attempt: " + cause + ")" : "") + ". Last lines of its output:\n"
                + ChildProcess.tail(console, 40) + "\n";
        if (readQuietly(console).toLowerCase(Locale.ROOT).contains("eaddrinuse")) {
            return new PortTakenException(message);
        }
        return new IllegalStateException(message + HOW_TO_GET_A_BROKER, cause);
    }

    // ------------------------------------------------------------------------------------------
    // Stop

    /** Lifecycle action: SIGTERM to the Erlang VM (a clean stop), then the rest; then epmd. */
    private void stopProcesses() {
        ChildProcess serverProcess = server;
        server = null;
        if (serverProcess != null) {
            Optional<ProcessHandle> broker = brokerProcess(serverProcess);
            // the VM stops cleanly on SIGTERM; without its pid, the start script forwards SIGTERM to it
            ProcessHandle target = broker.orElseGet(() -> ProcessHandle.of(serverProcess.pid()).orElse(null));
            if (!serverProcess.stop(target, GRACEFUL_STOP_TIMEOUT)) {
                LOG.warn("RabbitMQ node {} did not stop within {}; killed it", nodeName,
                        formatDuration(GRACEFUL_STOP_TIMEOUT));
            }
        }
        ChildProcess epmdProcess = epmd;
        epmd = null;
        if (epmdProcess != null) {
            epmdProcess.stop(ProcessHandle.of(epmdProcess.pid()).orElse(null), EPMD_STOP_TIMEOUT);
        }
    }

    private Optional<ProcessHandle> brokerProcess() {
        return server == null ? Optional.empty() : brokerProcess(server);
    }

    /** The Erlang VM, from the pid file, but only if it is one of our descendants. */
    private Optional<ProcessHandle> brokerProcess(ChildProcess serverProcess) {
        if (!serverProcess.isAlive()) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(directory.resolve("rabbitmq.pid")).strip());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return serverProcess.process().descendants().filter(p -> p.pid() == pid).findFirst();
    }

    // ------------------------------------------------------------------------------------------
    // Helpers

    static Optional<Path> findServerScript() {
        return SERVER_SCRIPT_CANDIDATES.stream().filter(Files::isExecutable).findFirst();
    }

    private static Optional<Path> findEpmd() {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Paths.get(dir, "epmd"));
                }
            }
        }
        candidates.add(Paths.get("/usr/bin/epmd"));
        candidates.add(Paths.get("/usr/local/bin/epmd"));
        candidates.add(Paths.get("/opt/homebrew/bin/epmd"));
        candidates.add(Paths.get("/usr/lib/erlang/bin/epmd"));
        Path erlang = Paths.get("/usr/lib/erlang");
        if (Files.isDirectory(erlang)) {
            try (Stream<Path> erts = Files.list(erlang)) {
                erts.filter(p -> p.getFileName().toString().startsWith("erts-")).sorted()
                        .forEach(p -> candidates.add(p.resolve("bin").resolve("epmd")));
            } catch (IOException e) {
                // ignore: the other candidates remain
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    private static String configText(Map<String, String> config) {
        StringBuilder text = new StringBuilder("# Written by io.latencylib.rabbitmq.embedded.LocalRabbitMqNode\n");
        config.forEach((key, value) -> text.append(key).append(" = ").append(value).append('\n'));
        return text.toString();
    }

    /** Waits up to {@code timeout} for the process to exit; true if it has. Used as the poll pause. */
    private static boolean waitForExit(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting a RabbitMQ node", e);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static long elapsedMillis(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    private static String formatDuration(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** A start failed because a port we had probed as free was taken meanwhile; worth a retry. */
    private static final class PortTakenException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message + " " + HOW_TO_GET_A_BROKER, new BindException("a port of the node was taken"));
        }
    }

    /** Options for {@link LocalRabbitMqNode}; {@link #start()} starts the node. Not thread-safe. */
    public static final class Builder {
        private Path parentDirectory = Paths.get(System.getProperty("java.io.tmpdir"));
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private final Map<String, String> config = new LinkedHashMap<>();
        private Path serverScript;

        private Builder() {
        }

        /** Where the node's temporary directory is created; default: the system temp directory. */
        public Builder parentDirectory(Path parent) {
            // absolute: the node runs with another working directory and HOME set to its own folder
            this.parentDirectory = Objects.requireNonNull(parent, "parent").toAbsolutePath();
            return this;
        }

        /** How long to wait for the node to accept AMQP connections; default 60 s. */
        public Builder startupTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startupTimeout must be positive: " + timeout);
            }
            this.startupTimeout = timeout;
            return this;
        }

        /**
         * Adds the line {@code key = value} to the node's {@code rabbitmq.conf} (the new-style
         * format); a later call with the same key replaces the value.
         */
        public Builder config(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.isBlank() || key.chars().anyMatch(c -> Character.isWhitespace(c) || c == '=' || c == '#')) {
                throw new IllegalArgumentException("Not a rabbitmq.conf key: '" + key + "'");
            }
            if (value.isBlank() || value.contains("\n") || value.contains("\r")) {
                throw new IllegalArgumentException("Not a one-line rabbitmq.conf value for " + key + ": '" + value + "'");
            }
            config.put(key, value.strip());
            return this;
        }

        /**
         * The RabbitMQ start script to run, for installations this class does not find by itself
         * (e.g. {@code <rabbitmq_server-x.y.z>/sbin/rabbitmq-server} of the generic Unix archive).
         * Not Debian's {@code /usr/sbin/rabbitmq-server} wrapper.
         */
        public Builder serverScript(Path script) {
            this.serverScript = Objects.requireNonNull(script, "script");
            return this;
        }

        /** Starts the node and returns once it accepts AMQP connections. */
        public LocalRabbitMqNode start() {
            return LocalRabbitMqNode.start(parentDirectory, startupTimeout, new LinkedHashMap<>(config), serverScript);
        }
    }
}
