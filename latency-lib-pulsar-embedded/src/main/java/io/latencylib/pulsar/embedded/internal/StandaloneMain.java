package io.latencylib.pulsar.embedded.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The child JVM of {@code EmbeddedPulsar}: runs {@code org.apache.pulsar.PulsarStandaloneStarter} on the
 * broker's own classpath (resolved by {@link BrokerClasspath}). Internal; the protocol with the parent:
 * <ul>
 *   <li>arguments: {@code <standalone.conf> <directory> <bookie port> <startup timeout ms> <delete-when-orphaned>};</li>
 *   <li>stdout: the line {@value #READY} once a message can be stored, then {@value #STOPPED} once stopped;
 *       or {@value #FAILED} and the reasons on one line if it could not start (nothing else is written there);</li>
 *   <li>stdin: the line {@value #STOP} stops the standalone and keeps its data (for a restart); the end of
 *       stdin without it means the parent died (even by SIGKILL): the standalone stops and, when so asked,
 *       deletes its directory;</li>
 *   <li>stderr: the broker's log (warnings and errors).</li>
 * </ul>
 */
public final class StandaloneMain {

    /** Written on stdout when the standalone serves. */
    public static final String READY = "READY";
    /** Written on stdout once stopped. */
    public static final String STOPPED = "STOPPED";
    /** Written on stdout, followed by the reasons on the same line, when the standalone could not start. */
    public static final String FAILED = "FAILED";
    /** Read from stdin: stop, keep the data. */
    public static final String STOP = "STOP";

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneMain.class);
    private static final String STARTER = "org.apache.pulsar.PulsarStandaloneStarter";
    private static final long STOP_TIMEOUT_MS = 30_000;

    private StandaloneMain() {
    }

    /**
     * Runs the standalone until told to stop or orphaned.
     *
     * @param args {@code <standalone.conf> <directory> <bookie port> <startup timeout ms> <delete-when-orphaned>}
     */
    public static void main(String[] args) throws Exception {
        PrintStream protocol = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream())); // stdout carries the protocol only
        quietJulLoggers();
        Path conf = Path.of(args[0]);
        Path dir = Path.of(args[1]);
        String bookiePort = args[2];
        long timeoutMs = Long.parseLong(args[3]);
        boolean deleteWhenOrphaned = Boolean.parseBoolean(args[4]);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);

        Class<?> starterClass = Class.forName(STARTER);
        Object starter = null;
        try {
            starter = starterClass.getConstructor(String[].class).newInstance((Object) new String[] {
                    "-c", conf.toString(),
                    "--metadata-dir", dir.resolve("metadata").toString(),
                    "--bookkeeper-dir", dir.resolve("bookkeeper").toString(),
                    "--zookeeper-dir", dir.resolve("zookeeper-unused").toString(),
                    "--bookkeeper-port", bookiePort,
                    "--no-functions-worker", "--no-stream-storage"});
            starterClass.getMethod("start").invoke(starter);
            awaitWritable(serviceUrl(conf), deadline);
        } catch (Throwable e) {
            Throwable cause = e instanceof InvocationTargetException && e.getCause() != null ? e.getCause() : e;
            LOG.error("Pulsar standalone did not start", cause);
            protocol.println(FAILED + " " + reasons(cause));
            protocol.flush();
            Runtime.getRuntime().halt(1);
        }
        protocol.println(READY);
        protocol.flush();

        boolean told = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (STOP.equals(line.trim())) {
                    told = true;
                    break;
                }
            }
        } catch (java.io.IOException e) {
            // stdin broken: the parent is gone
        }
        Thread watchdog = new Thread(() -> {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MS));
            LOG.error("Pulsar standalone did not stop within {} ms; halting", STOP_TIMEOUT_MS);
            Runtime.getRuntime().halt(3);
        }, "embedded-pulsar-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            starterClass.getMethod("close").invoke(starter); // also removes the starter's shutdown hook
        } catch (InvocationTargetException e) {
            LOG.warn("Pulsar standalone did not stop cleanly", e.getCause());
        }
        if (!told && deleteWhenOrphaned) {
            deleteRecursively(dir); // the parent died and cannot do it
        }
        protocol.println(STOPPED);
        protocol.flush();
        Runtime.getRuntime().halt(0); // the broker's leftover non-daemon threads must not keep this JVM
    }

    /** @return the messages of a failure and its causes, on one line */
    static String reasons(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 2_000; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + t.getMessage();
            if (b.indexOf(m) < 0) {
                b.append(b.length() == 0 ? "" : " <- ").append(m.replace('\n', ' '));
            }
        }
        return b.toString();
    }

    private static String serviceUrl(Path conf) throws java.io.IOException {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = java.nio.file.Files.newBufferedReader(conf, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return "pulsar://" + p.getProperty("advertisedAddress") + ":" + p.getProperty("brokerServicePort");
    }

    /**
     * Ready means a message can be stored: the broker answers as soon as it listens, but topics fail
     * ("not enough non-faulty bookies") until its bookie has registered, which takes longer on a busy machine.
     */
    private static void awaitWritable(String serviceUrl, long deadlineNanos) throws PulsarClientException {
        try (PulsarClient client = PulsarClient.builder().serviceUrl(serviceUrl)
                .operationTimeout(10, TimeUnit.SECONDS).build()) {
            while (true) {
                try (Producer<byte[]> probe = client.newProducer()
                        .topic("persistent://public/default/latency-readiness-probe")
                        .sendTimeout(10, TimeUnit.SECONDS).create()) {
                    probe.send(new byte[0]);
                    return;
                } catch (PulsarClientException e) {
                    if (System.nanoTime() > deadlineNanos) {
                        throw new IllegalStateException("Pulsar standalone started but could not store a message"
                                + " before its startup timeout: " + e.getMessage(), e);
                    }
                    LockSupport.parkNanos(200_000_000L); // then ask again
                }
            }
        }
    }

    /** Deletes a directory and everything in it; what is already gone is fine. */
    public static void deleteRecursively(Path dir) throws java.io.IOException {
        if (dir == null || !java.nio.file.Files.exists(dir)) {
            return;
        }
        java.nio.file.Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs)
                    throws java.io.IOException {
                java.nio.file.Files.deleteIfExists(file);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, java.io.IOException exc) throws java.io.IOException {
                if (exc instanceof java.nio.file.NoSuchFileException) {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public java.nio.file.FileVisitResult postVisitDirectory(Path d, java.io.IOException exc) throws java.io.IOException {
                java.nio.file.Files.deleteIfExists(d);
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
    }

    /** java.util.logging loggers quietened (held: JUL keeps only weak references). */
    private static final List<java.util.logging.Logger> QUIET_JUL = new ArrayList<>();

    /**
     * Jersey (the broker's REST API) and OpenTelemetry log through java.util.logging, which log4j does
     * not govern: a WARNING per REST application ("WADL feature is disabled") and an INFO at first use.
     */
    private static void quietJulLoggers() {
        for (String name : List.of("org.glassfish.jersey", "io.opentelemetry")) {
            java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
            logger.setLevel(java.util.logging.Level.SEVERE);
            QUIET_JUL.add(logger);
        }
    }
}
