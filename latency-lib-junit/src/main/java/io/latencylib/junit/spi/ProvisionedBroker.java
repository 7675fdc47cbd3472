package io.latencylib.junit.spi;

import io.latencylib.junit.LatencySession;
import io.latencylib.load.LoadDriver;

/**
 * The broker of one system for a whole test run, as a {@link LatencySystemProvider} provisioned it:
 * shared by every test, closed by the extension at the end of the run (a broker the user gave is
 * only disconnected from, never stopped).
 */
public interface ProvisionedBroker extends AutoCloseable {

    /** @return where the broker is, as clients of this system address it (shown in every report) */
    String address();

    /**
     * @return a new load driver against this broker, for {@link LatencySession#load()}, for
     *     {@code @LatencySLO(rate = ...)} and for the run's warm-up; the caller closes it
     */
    LoadDriver newLoadDriver();

    /**
     * Opens the session of one test invocation: a {@link SessionSupport} (which serves what every
     * session has from {@code context}) that registers with {@link SessionContext#onClose(AutoCloseable)}
     * what must be closed after the test.
     *
     * @return an instance of the provider's {@link LatencySystemProvider#sessionType()}
     */
    LatencySession openSession(SessionContext context);

    /** Stops what this run started (a container, an embedded broker) and closes admin clients. */
    @Override
    void close();
}
