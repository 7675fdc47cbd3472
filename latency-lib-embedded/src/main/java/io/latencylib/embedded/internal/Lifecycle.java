package io.latencylib.embedded.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine behind {@link io.latencylib.embedded.EmbeddedBroker}: running, stopped, closed;
 * start and stop of the broker itself are the {@link Actions} of each broker. It owns the data
 * directory (deleted on close) and the JVM shutdown hook that closes a broker never closed. The hook
 * is removed only after {@link #close()} has finished: a JVM told to exit while a close() runs (the
 * SIGTERM that comes with a closed stdin, say) then waits for that close() to delete the data,
 * instead of halting halfway.
 *
 * <p>All transitions hold this object's monitor: concurrent callers wait for each other.
 */
public final class Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    /** Starting and stopping one broker; called with the lifecycle's monitor held. */
    public interface Actions {
        /**
         * Starts the broker on its ports with the data in its directory and returns once it serves.
         * Must leave nothing running when it throws ({@link #stop()} is called after a failure too).
         *
         * @throws Exception with a message that says what failed
         */
        void start() throws Exception;

        /**
         * Stops the broker; the data stays. Called also after a failed or partial start, so it must
         * cope with a broker that is half up or not there.
         *
         * @throws Exception if it did not stop cleanly
         */
        void stop() throws Exception;
    }

    private enum State { STOPPED, RUNNING, CLOSED }

    private final String name;
    private final Path directory;
    private final boolean deleteOnClose;
    private final Actions actions;
    private final Thread shutdownHook;
    private State state = State.STOPPED;

    /**
     * A stopped broker; registers the shutdown hook at once, so the directory is deleted even if the
     * first start is interrupted by the JVM's exit.
     *
     * @param name          the broker, for messages and logs (e.g. {@code Embedded Kafka 127.0.0.1:9092})
     * @param directory     its data directory
     * @param deleteOnClose whether close() deletes the directory
     * @param actions       how to start and stop it
     */
    public Lifecycle(String name, Path directory, boolean deleteOnClose, Actions actions) {
        this.name = Objects.requireNonNull(name, "name");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.deleteOnClose = deleteOnClose;
        this.actions = Objects.requireNonNull(actions, "actions");
        this.shutdownHook = new Thread(this::closeAtExit, "latency-lib-embedded-shutdown-hook");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * The broker's data directory.
     *
     * @return the directory
     */
    public Path directory() {
        return directory;
    }

    /**
     * Whether the broker runs.
     *
     * @return true between a successful start and the next stop or close
     */
    public synchronized boolean isRunning() {
        return state == State.RUNNING;
    }

    /**
     * Throws unless the broker runs, naming the operation and what to do.
     *
     * @param operation what the caller wanted, e.g. {@code "create a topic"}
     * @throws IllegalStateException if the broker is stopped or closed
     */
    public synchronized void requireRunning(String operation) {
        if (state == State.CLOSED) {
            throw new IllegalStateException("Cannot " + operation + ": " + name + " is closed");
        }
        if (state == State.STOPPED) {
            throw new IllegalStateException("Cannot " + operation + ": " + name + " is stopped; start() it again first");
        }
    }

    /**
     * Starts the broker unless it runs.
     *
     * @throws IllegalStateException if it is closed or the start failed (it is then stopped)
     */
    public synchronized void start() {
        if (state == State.CLOSED) {
            throw new IllegalStateException(name + " is closed and cannot be started again; start a new one");
        }
        if (state == State.RUNNING) {
            return;
        }
        long started = System.nanoTime();
        try {
            actions.start();
        } catch (Exception e) {
            try {
                actions.stop();
            } catch (Exception cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException ? (RuntimeException) e
                    : new IllegalStateException(name + " failed to start: " + e, e);
        }
        state = State.RUNNING;
        LOG.debug("{} started in {} ms", name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Stops the broker if it runs; the data stays.
     *
     * @throws IllegalStateException if it is closed, or did not stop cleanly (it is stopped all the same)
     */
    public synchronized void stop() {
        if (state == State.CLOSED) {
            throw new IllegalStateException(name + " is closed");
        }
        if (state == State.STOPPED) {
            return;
        }
        state = State.STOPPED;
        try {
            actions.stop();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException ? (RuntimeException) e
                    : new IllegalStateException(name + " did not stop cleanly: " + e, e);
        }
    }

    /**
     * Stops the broker if it runs and deletes its directory (if it owns it). Idempotent.
     *
     * @throws IllegalStateException if a step failed; every step is still attempted
     */
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasRunning = state == State.RUNNING;
        state = State.CLOSED;
        RuntimeException failure = null;
        try {
            if (wasRunning) {
                try {
                    actions.stop();
                } catch (Exception e) {
                    failure = new IllegalStateException(name + " did not stop cleanly: " + e.getMessage(), e);
                }
            }
            if (deleteOnClose) {
                try {
                    DataDirectory.deleteRecursively(directory);
                } catch (IOException | RuntimeException e) {
                    IllegalStateException deleteFailure = new IllegalStateException(
                            "Could not delete the directory " + directory + " of " + name + ": " + e, e);
                    if (failure == null) {
                        failure = deleteFailure;
                    } else {
                        failure.addSuppressed(deleteFailure);
                    }
                }
            }
        } finally {
            removeShutdownHook();
        }
        if (failure != null) {
            throw failure;
        }
        LOG.debug("{} closed", name);
    }

    @Override
    public String toString() {
        return name;
    }

    private void removeShutdownHook() {
        if (Thread.currentThread() == shutdownHook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException exiting) {
            // the JVM is exiting: the hook runs close(), which returns at once
        }
    }

    private void closeAtExit() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("Could not close {} at JVM exit: {}", name, e.getMessage());
        }
    }
}
