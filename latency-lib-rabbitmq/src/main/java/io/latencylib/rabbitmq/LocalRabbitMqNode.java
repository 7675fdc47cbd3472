package io.latencylib.rabbitmq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, isolated RabbitMQ node started as a child process of this JVM: for tests, samples and
 * anyone who wants broker tests without Docker. It needs a local RabbitMQ installation (on Debian
 * or Ubuntu: {@code apt-get install -y rabbitmq-server}; the package's service need not run).
 *
 * <pre>{@code
 * try (LocalRabbitMqNode node = LocalRabbitMqNode.start();
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
 * is ready when {@link #start()} returns: an AMQP connection to it has succeeded.
 *
 * <p>{@link #close()} stops the node (SIGTERM, then SIGKILL of whatever is left), stops its
 * {@code epmd}, and deletes its directory. A JVM shutdown hook does the same if the node is never
 * closed. Several nodes may run in one JVM at once. Works as root and as an ordinary user: the
 * RabbitMQ start script is run directly, not through the distribution's {@code /usr/sbin} wrapper
 * (which switches to the {@code rabbitmq} user).
 */
public final class LocalRabbitMqNode implements AutoCloseable {

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

    private static final String HOST = "127.0.0.1";
    private static final String USER = "guest";
    private static final String PASSWORD = "guest";
    private static final int MAX_START_ATTEMPTS = 3;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration GRACEFUL_STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration FORCED_STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration EPMD_START_TIMEOUT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 40;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String nodeName;
    private final Path directory;
    private final int amqpPort;
    private final int distPort;
    private final int epmdPort;
    private final Thread shutdownHook;
    private Process epmd;
    private Process server;
    private boolean closed;

    private LocalRabbitMqNode(Path directory, int amqpPort, int distPort, int epmdPort) {
        this.directory = directory;
        this.amqpPort = amqpPort;
        this.distPort = distPort;
        this.epmdPort = epmdPort;
        this.nodeName = "latency-" + HexFormat.of().formatHex(randomBytes(5)) + "@localhost";
        this.shutdownHook = new Thread(this::closeFromShutdownHook, "local-rabbitmq-node-shutdown-hook");
    }

    /** Starts a node with the defaults: system temp directory, 60 s startup timeout, no extra config. */
    public static LocalRabbitMqNode start() {
        return builder().start();
    }

    /** A builder for a node with a chosen parent directory, startup timeout or config lines. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether a RabbitMQ start script this class can use is installed (see {@link #HOW_TO_GET_A_BROKER}
     * otherwise). Does not check that it works; {@link #start()} does.
     */
    public static boolean isInstalled() {
        return findServerScript().isPresent();
    }

    /** The loopback port on which the node accepts AMQP 0-9-1 connections. */
    public int amqpPort() {
        return amqpPort;
    }

    /** {@code amqp://guest:guest@127.0.0.1:<port>}: guest may log in because the connection is local. */
    public String amqpUri() {
        return "amqp://" + USER + ":" + PASSWORD + "@" + HOST + ":" + amqpPort;
    }

    /** A new factory for connections to this node (host, port, guest/guest set); callers may change it. */
    public ConnectionFactory connectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(HOST);
        factory.setPort(amqpPort);
        factory.setUsername(USER);
        factory.setPassword(PASSWORD);
        factory.setVirtualHost("/");
        return factory;
    }

    /** The node's Erlang node name, {@code latency-<random>@localhost}. */
    public String nodeName() {
        return nodeName;
    }

    /** The node's own directory (database, logs, config); deleted by {@link #close()}. */
    public Path directory() {
        return directory;
    }

    /** The operating-system pid of the broker (the Erlang VM), as written to its pid file. */
    public synchronized long pid() {
        return brokerProcess().map(ProcessHandle::pid)
                .orElseThrow(() -> new IllegalStateException("RabbitMQ node " + nodeName + " is not running"));
    }

    /**
     * Stops the node and its private {@code epmd}, and deletes its directory. Sends SIGTERM to the
     * broker and waits for a clean stop (about a second), then kills whatever is left. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        stopProcesses();
        deleteDirectory();
        removeShutdownHook();
        LOG.info("Stopped RabbitMQ node {} in {} ms", nodeName, elapsedMillis(started));
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
        for (int attempt = 1;; attempt++) {
            LocalRabbitMqNode node = prepare(parent);
            try {
                node.launch(script, epmdBinary, config, deadline, startupTimeout);
                return node;
            } catch (PortTakenException e) {
                // Another process took one of the free ports between our probe and the node binding it.
                node.close();
                if (attempt >= MAX_START_ATTEMPTS || System.nanoTime() >= deadline) {
                    throw new IllegalStateException(e.getMessage() + " " + HOW_TO_GET_A_BROKER, e);
                }
                LOG.debug("Port taken while starting a RabbitMQ node, retrying with new ports: {}", e.getMessage());
            } catch (RuntimeException | Error e) {
                node.close();
                throw e;
            }
        }
    }

    private static LocalRabbitMqNode prepare(Path parent) {
        try {
            Files.createDirectories(parent);
            Path directory = Files.createTempDirectory(parent, "latency-rabbitmq-");
            int[] ports = freeLoopbackPorts(3);
            return new LocalRabbitMqNode(directory, ports[0], ports[1], ports[2]);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare a directory and ports for a RabbitMQ node under " + parent, e);
        }
    }

    private void launch(Path script, Path epmdBinary, Map<String, String> config, long deadline,
            Duration startupTimeout) {
        long started = System.nanoTime();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            Files.createDirectories(directory.resolve("mnesia"));
            Files.createDirectories(directory.resolve("log"));
            Files.createDirectories(directory.resolve("conf.d"));
            Files.writeString(directory.resolve("enabled_plugins"), "");
            Files.writeString(directory.resolve("rabbitmq-env.conf"), "");
            Files.writeString(directory.resolve("rabbitmq.conf"), configText(config));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the files of RabbitMQ node " + nodeName + " in " + directory, e);
        }

        startEpmd(epmdBinary, deadline, startupTimeout);

        ProcessBuilder builder = new ProcessBuilder(script.toString())
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("console.log").toFile());
        configureEnvironment(builder.environment());
        LOG.debug("Starting RabbitMQ node {} from {} in {} (AMQP {}:{}, distribution {}, epmd {})",
                nodeName, script, directory, HOST, amqpPort, distPort, epmdPort);
        try {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("RabbitMQ node " + nodeName + " was closed while starting");
                }
                server = builder.start();
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + script + ": " + e.getMessage() + ". " + HOW_TO_GET_A_BROKER, e);
        }
        closeQuietly(server);

        awaitAmqp(deadline, startupTimeout);
        LOG.info("Started RabbitMQ node {} on {}:{} in {} ms", nodeName, HOST, amqpPort, elapsedMillis(started));
    }

    /**
     * RabbitMQ 3.10 will not boot without an epmd to ask for the names on this host, and an Erlang
     * node started without one spawns a shared daemon on port 4369 that outlives it. So each node
     * gets a private epmd on its own loopback port, as a child of this JVM, and the Erlang VMs are
     * told never to start one themselves ({@code -start_epmd false}).
     */
    private void startEpmd(Path epmdBinary, long deadline, Duration startupTimeout) {
        ProcessBuilder builder = new ProcessBuilder(epmdBinary.toString(),
                "-port", Integer.toString(epmdPort), "-address", HOST)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("epmd.log").toFile());
        builder.environment().keySet().removeIf(LocalRabbitMqNode::isErlangOrRabbitVariable);
        try {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("RabbitMQ node " + nodeName + " was closed while starting");
                }
                epmd = builder.start();
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + epmdBinary + ": " + e.getMessage() + ". " + HOW_TO_GET_A_BROKER, e);
        }
        closeQuietly(epmd);
        long epmdDeadline = Math.min(deadline, System.nanoTime() + EPMD_START_TIMEOUT.toNanos());
        while (!canConnect(epmdPort)) {
            if (waitForExit(epmd, POLL_INTERVAL)) {
                String output = tail(directory.resolve("epmd.log"));
                if (output.toLowerCase(Locale.ROOT).contains("address already in use")
                        || output.toLowerCase(Locale.ROOT).contains("eaddrinuse")) {
                    throw new PortTakenException("epmd could not listen on port " + epmdPort + ": " + output.strip());
                }
                throw new IllegalStateException("epmd for RabbitMQ node " + nodeName + " exited with code "
                        + epmd.exitValue() + " before listening on " + HOST + ":" + epmdPort + ". Its output:\n"
                        + output + "\n" + HOW_TO_GET_A_BROKER);
            }
            if (System.nanoTime() >= epmdDeadline) {
                throw new IllegalStateException("epmd for RabbitMQ node " + nodeName + " did not listen on "
                        + HOST + ":" + epmdPort + " within " + formatDuration(startupTimeout) + ". "
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

    private void awaitAmqp(long deadline, Duration startupTimeout) {
        ConnectionFactory probe = connectionFactory();
        probe.setAutomaticRecoveryEnabled(false);
        probe.setTopologyRecoveryEnabled(false);
        Exception last = null;
        while (true) {
            if (!server.isAlive()) {
                throw startFailure("exited with code " + server.exitValue() + " before accepting AMQP connections", null);
            }
            if (!epmd.isAlive()) {
                throw startFailure("lost its epmd (exit code " + epmd.exitValue() + ")", null);
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
            waitForExit(server, POLL_INTERVAL);
        }
    }

    private RuntimeException startFailure(String what, Exception cause) {
        Path console = directory.resolve("console.log");
        String output = tail(console);
        String all = readQuietly(console).toLowerCase(Locale.ROOT);
        String message = "RabbitMQ node " + nodeName + " (" + directory + ") " + what
                + (cause != null ? " (last attempt: " + cause + ")" : "") + ". Last lines of its output:\n"
                + output + "\n";
        if (all.contains("eaddrinuse")) {
            return new PortTakenException(message);
        }
        return new IllegalStateException(message + HOW_TO_GET_A_BROKER, cause);
    }

    // ------------------------------------------------------------------------------------------
    // Stop

    private void stopProcesses() {
        Process serverProcess = server;
        if (serverProcess != null) {
            // Snapshot the whole tree now: once the VM exits, its helpers are re-parented and no
            // longer show up as descendants.
            List<ProcessHandle> tree = new ArrayList<>();
            tree.add(serverProcess.toHandle());
            serverProcess.descendants().forEach(tree::add);
            Optional<ProcessHandle> broker = brokerProcess();
            if (broker.isPresent()) {
                broker.get().destroy(); // SIGTERM: RabbitMQ stops cleanly
            } else {
                serverProcess.destroy(); // SIGTERM to the script, which forwards it to the VM
            }
            if (!awaitExit(tree, GRACEFUL_STOP_TIMEOUT)) {
                LOG.warn("RabbitMQ node {} did not stop within {}; killing it", nodeName, formatDuration(GRACEFUL_STOP_TIMEOUT));
            }
            serverProcess.descendants().forEach(tree::add);
            tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            if (!awaitExit(tree, FORCED_STOP_TIMEOUT)) {
                LOG.warn("Processes of RabbitMQ node {} still alive after SIGKILL: {}", nodeName,
                        tree.stream().filter(ProcessHandle::isAlive).map(p -> Long.toString(p.pid()))
                                .collect(Collectors.joining(", ")));
            }
        }
        Process epmdProcess = epmd;
        if (epmdProcess != null) {
            List<ProcessHandle> handles = List.of(epmdProcess.toHandle());
            epmdProcess.destroy();
            if (!awaitExit(handles, FORCED_STOP_TIMEOUT)) {
                epmdProcess.destroyForcibly();
                awaitExit(handles, FORCED_STOP_TIMEOUT);
            }
        }
    }

    /** The Erlang VM, from the pid file, but only if it is one of our descendants. */
    private Optional<ProcessHandle> brokerProcess() {
        Process serverProcess = server;
        if (serverProcess == null || !serverProcess.isAlive()) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(directory.resolve("rabbitmq.pid")).strip());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return serverProcess.descendants().filter(p -> p.pid() == pid).findFirst();
    }

    private static boolean awaitExit(List<ProcessHandle> handles, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle handle : handles) {
            long remaining = deadline - System.nanoTime();
            try {
                handle.onExit().get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                // onExit never completes exceptionally; treat as exited
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void deleteDirectory() {
        try {
            deleteRecursively(directory);
        } catch (IOException e) {
            LOG.warn("Could not delete the directory {} of RabbitMQ node {}: {}", directory, nodeName, e.toString());
        }
    }

    private void removeShutdownHook() {
        if (Thread.currentThread() == shutdownHook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // the JVM is shutting down, or the hook was never added
        }
    }

    private void closeFromShutdownHook() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("Could not stop RabbitMQ node {} at JVM shutdown", nodeName, e);
        }
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
        StringBuilder text = new StringBuilder("# Written by io.latencylib.rabbitmq.LocalRabbitMqNode\n");
        config.forEach((key, value) -> text.append(key).append(" = ").append(value).append('\n'));
        return text.toString();
    }

    private static int[] freeLoopbackPorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket();
                sockets[i].bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    private static boolean canConnect(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
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

    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /**
     * The end of a log, plus, for a long one, the lines from its first error on: RabbitMQ states
     * the cause of a boot failure first and then prints a long crash report.
     */
    private static String tail(Path file) {
        String text = readQuietly(file);
        if (text.isEmpty()) {
            return "(no output in " + file + ")";
        }
        List<String> lines = text.lines().collect(Collectors.toList());
        if (lines.size() <= 2 * LOG_TAIL_LINES) {
            return String.join("\n", lines);
        }
        int tailStart = lines.size() - LOG_TAIL_LINES;
        StringBuilder excerpt = new StringBuilder();
        for (int i = 0; i < tailStart; i++) {
            if (lines.get(i).contains("[error]")) {
                int end = Math.min(tailStart, i + LOG_TAIL_LINES / 2);
                excerpt.append(String.join("\n", lines.subList(i, end))).append('\n');
                if (end < tailStart) {
                    excerpt.append("[...]\n");
                }
                break;
            }
        }
        return excerpt + String.join("\n", lines.subList(tailStart, lines.size()));
    }

    private static String readQuietly(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
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
            super(message);
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
