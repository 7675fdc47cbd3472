package io.latencylib.kafka.fault;

import io.latencylib.LatencyClock;
import io.latencylib.embedded.internal.ChildProcess;
import io.latencylib.embedded.internal.DataDirectory;
import io.latencylib.embedded.internal.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real Kafka broker in a child JVM ({@code EmbeddedKafka.main}) that a test can kill with SIGKILL, as a
 * crashed broker, and start again on the same ports and the same data, as the supervisor of a crashed
 * broker would.
 *
 * <p>The ports and the log directory are fixed by broker properties on the child's command line
 * ({@code listeners}, {@code controller.quorum.voters}, {@code log.dirs}, {@code node.id}), so every start
 * finds the records, offsets and topic configurations of the one before. The data lives in a directory of
 * this JVM's ({@link DataDirectory}: {@code embedded-kafka-*} in the temporary directory, marked as ours),
 * which {@link #close()} deletes and which the next embedded broker's start sweeps if this JVM dies first.
 * The child follows the project's child-JVM protocol ({@link ChildProcess}): it reports
 * {@code BOOTSTRAP_SERVERS=...} when it serves, and stops when its stdin closes (also when this JVM dies).
 *
 * <p>A restart takes a new JVM's start (3 to 6 s on a quiet 2-core machine, several times that on a busy
 * one) plus the broker session timeout, 2 s here (9 s by default): until then the restarted controller
 * refuses the new broker's registration as a duplicate of the killed one's. The child logs at WARN to
 * {@code target/killable-kafka.log}; {@code -Dkillable.kafka.log=info} shows what each start did.
 */
final class KillableKafka implements AutoCloseable {

    private static final String MAIN = "io.latencylib.kafka.embedded.EmbeddedKafka";
    private static final String NODE_ID = "1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final int FIRST_START_ATTEMPTS = 3;

    private final Path directory;
    private final Path log;
    private int brokerPort;
    private int controllerPort;
    private ChildProcess child;

    /** What a restart looked like to a client, on the clock given to {@link #restart}. */
    record Restart(long lastRefusedMicros, long acceptingMicros, long readyMicros) {
    }

    private KillableKafka(Path directory, Path log) {
        this.directory = directory;
        this.log = log;
    }

    /**
     * Starts a broker on free loopback ports with a fresh data directory.
     *
     * @param log file the child's stderr (its log) is appended to
     */
    static KillableKafka start(Path log) {
        Path directory = DataDirectory.create(null, "embedded-kafka-");
        KillableKafka kafka = new KillableKafka(directory, log);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            kafka.child = Ports.retryOnBindFailure("killable Kafka", FIRST_START_ATTEMPTS,
                    System.nanoTime() + START_TIMEOUT.toNanos(), () -> {
                        kafka.deleteLogs(); // an attempt that failed may have formatted them for other ports
                        int[] ports = Ports.freeLoopbackPorts(2);
                        kafka.brokerPort = ports[0];
                        kafka.controllerPort = ports[1];
                        return kafka.launch(System.nanoTime() + START_TIMEOUT.toNanos());
                    });
            return kafka;
        } catch (IOException | RuntimeException e) {
            kafka.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    String bootstrapServers() {
        return Ports.LOOPBACK + ":" + brokerPort;
    }

    int port() {
        return brokerPort;
    }

    synchronized boolean isRunning() {
        return child != null && child.isAlive();
    }

    /** Sends SIGKILL to the broker's JVM and returns at once: no shutdown of any kind runs in it. */
    synchronized void kill() {
        if (child == null) {
            throw new IllegalStateException("not running");
        }
        child.process().destroyForcibly(); // SIGKILL on Linux
    }

    /**
     * Waits for the killed JVM to be gone, starts a new one on the same ports with the same data, and returns
     * once it serves. Meanwhile it probes the broker port every 5 ms: the broker was certainly still down at
     * {@link Restart#lastRefusedMicros()} (read before the last probe that was refused). The port accepts
     * connections as soon as it is bound, a few seconds before the broker serves them.
     */
    synchronized Restart restart(LatencyClock clock) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        awaitGone();
        long lastRefused = clock.nowMicros();
        Ports.awaitFree("killable Kafka " + bootstrapServers(), Duration.ofSeconds(30), brokerPort, controllerPort);
        ChildProcess starting = startChild();
        try {
            while (true) {
                long probed = clock.nowMicros(); // read before the probe: the port was closed at or after it
                if (Ports.acceptsConnections(brokerPort)) {
                    break;
                }
                lastRefused = probed;
                if (!starting.isAlive() || System.nanoTime() - deadline > 0) {
                    break; // awaitValues below says why
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // probing the port: no event to wait for
            }
            long accepting = clock.nowMicros();
            starting.awaitValues(Set.of("BOOTSTRAP_SERVERS"), deadline);
            child = starting;
            return new Restart(lastRefused, accepting, clock.nowMicros());
        } catch (RuntimeException e) {
            starting.stop(null, Duration.ofSeconds(5));
            throw e;
        }
    }

    /** Starts the broker again (same ports, same data) if it is not running, e.g. after a test that failed. */
    synchronized void ensureRunning() {
        if (!isRunning()) {
            restart(LatencyClock.system());
        }
    }

    /** Stops the broker cleanly (stdin closed), then deletes its data. */
    @Override
    public synchronized void close() {
        try {
            if (child != null && child.isAlive() && !child.stop(null, STOP_GRACE)) {
                throw new IllegalStateException("the killable Kafka broker did not stop within " + STOP_GRACE
                        + " of its stdin closing and was killed. " + child.logTail());
            }
        } finally {
            child = null;
            try {
                DataDirectory.deleteRecursively(directory);
            } catch (IOException e) {
                throw new IllegalStateException("could not delete " + directory, e);
            }
        }
    }

    private void awaitGone() {
        if (child == null) {
            return;
        }
        try {
            if (!child.process().waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the broker's JVM did not exit within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        // the killed JVM could not delete its own scratch directory (EmbeddedKafka makes one besides log.dirs)
        DataDirectory.sweep(directory.resolve("tmp"), "embedded-kafka-");
        child = null;
    }

    private void deleteLogs() {
        try {
            DataDirectory.deleteRecursively(directory.resolve("kraft-logs"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private ChildProcess launch(long deadline) {
        ChildProcess started = startChild();
        try {
            started.awaitValues(Set.of("BOOTSTRAP_SERVERS"), deadline);
            return started;
        } catch (RuntimeException e) {
            started.stop(null, Duration.ofSeconds(5));
            // a port taken between the probe and the bind: the retry picks new ones
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private ChildProcess startChild() {
        try {
            Files.createDirectories(directory.resolve("tmp"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String host = Ports.LOOPBACK;
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC",
                "-Djava.io.tmpdir=" + directory.resolve("tmp"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"));
        String level = System.getProperty("killable.kafka.log"); // e.g. -Dkillable.kafka.log=info: what a start did
        if (level != null) {
            for (String logger : List.of("kafka", "org.apache.kafka.controller", "org.apache.kafka.metadata",
                    "org.apache.kafka.server", "org.apache.kafka.raft", "org.apache.kafka.storage")) {
                command.add("-Dorg.slf4j.simpleLogger.log." + logger + "=" + level);
            }
        }
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"),
                MAIN,
                "node.id=" + NODE_ID,
                "listeners=PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + host + ":" + brokerPort,
                "controller.quorum.voters=" + NODE_ID + "@" + host + ":" + controllerPort,
                "log.dirs=" + directory.resolve("kraft-logs"),
                "auto.create.topics.enable=false",
                // The restarted controller holds the killed broker's registration until its session times out
                // (DUPLICATE_BROKER_REGISTRATION until then): 9 s by default, 2 s here.
                "broker.session.timeout.ms=2000",
                "broker.heartbeat.interval.ms=500"));
        return ChildProcess.start("killable Kafka " + host + ":" + brokerPort, command, null, null, log);
    }
}
