package io.latencylib.pulsar.embedded.internal;

import io.latencylib.embedded.internal.ChildProcess;
import io.latencylib.embedded.internal.DataDirectory;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The child JVM of {@code EmbeddedPulsar}: runs {@code org.apache.pulsar.PulsarStandaloneStarter} on the
 * broker's own classpath (resolved by {@link BrokerClasspath}). Internal. It follows the protocol of
 * {@link ChildProcess}: arguments {@code <standalone.conf> <directory> <bookie port> <startup timeout ms>};
 * once a message can be stored it reports {@value #SERVICE_URL}{@code =pulsar://...} on stdout, then runs
 * until its stdin closes. After {@link ChildProcess#STOP_LINE} (an ordinary stop) it keeps the data for a
 * restart; without it the parent died (even by SIGKILL), and it deletes the directory the parent would
 * have deleted. Its stderr is the broker's log (warnings and errors).
 */
public final class StandaloneMain {

    /** The key of the service URL reported on stdout once the standalone serves. */
    public static final String SERVICE_URL = "SERVICE_URL";

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneMain.class);
    private static final String STARTER = "org.apache.pulsar.PulsarStandaloneStarter";
    private static final long STOP_TIMEOUT_MS = 30_000;

    private StandaloneMain() {
    }

    /**
     * Runs the standalone until told to stop or orphaned.
     *
     * @param args {@code <standalone.conf> <directory> <bookie port> <startup timeout ms>}
     */
    public static void main(String[] args) throws Exception {
        PrintStream protocol = ChildProcess.reserveStdout();
        quietJulLoggers();
        Path conf = Path.of(args[0]);
        Path dir = Path.of(args[1]);
        String bookiePort = args[2];
        long timeoutMs = Long.parseLong(args[3]);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        String serviceUrl = serviceUrl(conf);

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
            awaitWritable(serviceUrl, deadline);
        } catch (Throwable e) {
            Throwable cause = e instanceof InvocationTargetException && e.getCause() != null ? e.getCause() : e;
            LOG.error("Pulsar standalone did not start", cause);
            LOG.error("Pulsar standalone did not start: {}", reasons(cause)); // the last line: what the parent shows
            Runtime.getRuntime().halt(1);
        }

        boolean told = ChildProcess.serveUntilStdinCloses(protocol, Map.of(SERVICE_URL, serviceUrl));
        Thread watchdog = new Thread(() -> {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MS));
            LOG.error("Pulsar standalone did not stop within {} ms; halting", STOP_TIMEOUT_MS);
            Runtime.getRuntime().halt(3);
        }, "embedded-pulsar-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        int status = 0;
        try {
            starterClass.getMethod("close").invoke(starter); // also removes the starter's shutdown hook
        } catch (InvocationTargetException e) {
            LOG.warn("Pulsar standalone did not stop cleanly", e.getCause());
            status = 2;
        }
        if (!told) {
            DataDirectory.deleteRecursively(dir); // the parent died and cannot do it
        }
        System.err.flush();
        Runtime.getRuntime().halt(status); // the broker's leftover non-daemon threads must not keep this JVM
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
