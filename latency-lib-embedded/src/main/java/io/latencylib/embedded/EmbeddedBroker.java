package io.latencylib.embedded;

import java.nio.file.Path;

/**
 * A real broker that a test started on this machine (inside the JVM or as a child process), with
 * the lifecycle every embedded broker of latency-lib shares.
 *
 * <ul>
 *   <li>It listens on free loopback ports chosen when it was first started, and keeps them:
 *       {@link #stop()} followed by {@link #start()} brings it back on the same addresses with the
 *       same data, so clients that were connected can reconnect (fault tests).</li>
 *   <li>Its data lives in its own {@link #directory()}, created for it and deleted by
 *       {@link #close()}. A JVM shutdown hook closes a broker that was never closed; the directory of
 *       an owner that died without running it (SIGKILL) is deleted by the next broker of the same
 *       kind started under the same parent directory.</li>
 *   <li>A broker that runs as a child process stops when this JVM dies, however it dies.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe: the lifecycle methods are serialised, and a concurrent
 * {@link #close()} waits for a running {@link #start()} or {@link #stop()} to finish.
 */
public interface EmbeddedBroker extends AutoCloseable {

    /**
     * Stops the broker, keeping its ports reserved for it and its data on disk. Clients see the
     * broker go away (connections are closed or refused). Does nothing if it is already stopped.
     *
     * @throws IllegalStateException if the broker is closed, or did not stop cleanly (it is then
     *                               stopped by force)
     */
    void stop();

    /**
     * Starts the broker again on the same ports with the same data, and returns once it serves
     * clients. Does nothing if it is already running.
     *
     * @throws IllegalStateException if the broker is closed, or cannot start (for example because
     *                               another process took one of its ports meanwhile); the broker is
     *                               then stopped and may be started again or closed
     */
    void start();

    /**
     * Whether the broker is running: started and neither stopped nor closed since.
     *
     * @return true while it serves clients
     */
    boolean isRunning();

    /**
     * The broker's own directory (its data, configuration and logs). It exists until
     * {@link #close()} and survives {@link #stop()}.
     *
     * @return the directory
     */
    Path directory();

    /**
     * Stops the broker if it runs and deletes its directory. Idempotent; once closed a broker cannot
     * be started again.
     *
     * @throws IllegalStateException if the broker did not stop cleanly or its directory could not be
     *                               deleted (every step is still attempted)
     */
    @Override
    void close();
}
