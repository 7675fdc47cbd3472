package io.latencylib.pulsar.embedded;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pulsar.PulsarStandaloneStarter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only class that touches the broker's classes, so that {@link EmbeddedPulsar} loads (and can
 * start a standalone in a child JVM) where pulsar-broker is not on the classpath.
 */
final class InProcessStandalone implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPulsar.class);

    private final PulsarStandaloneStarter starter;

    private InProcessStandalone(PulsarStandaloneStarter starter) {
        this.starter = starter;
    }

    /** Starts {@code org.apache.pulsar.PulsarStandaloneStarter} with {@code args}; returns once it serves. */
    static InProcessStandalone start(String[] args, Duration timeout) throws Exception {
        PulsarStandaloneStarter starter = new PulsarStandaloneStarter(args);
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                starter.start();
                started.complete(null);
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        }, "embedded-pulsar-start");
        t.setDaemon(true);
        t.start();
        try {
            started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new InProcessStandalone(starter);
        } catch (ExecutionException e) {
            closeQuietly(starter);
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        } catch (TimeoutException e) {
            closeQuietly(starter);
            throw new IllegalStateException("Pulsar standalone did not start within " + timeout, e);
        }
    }

    @Override
    public void close() {
        starter.close(); // also removes the starter's shutdown hook
    }

    private static void closeQuietly(PulsarStandaloneStarter starter) {
        try {
            starter.close();
        } catch (RuntimeException e) {
            LOG.debug("ignored while giving up a start", e);
        }
    }
}
