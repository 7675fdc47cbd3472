package io.latencylib.junit.spi;

import io.latencylib.LatencyRecorder;
import io.latencylib.junit.LatencySession;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import java.util.Optional;

/**
 * What the extension gives a {@link ProvisionedBroker} to open one test invocation's session: the
 * test's recorder, names no other test uses, the parts of {@link LatencySession} that are the same
 * for every system, and a place to register what must be closed after the test.
 */
public interface SessionContext {

    /** @return the recorder of the test invocation: every client the session makes is wrapped with it */
    LatencyRecorder recorder();

    /**
     * @return a name no other destination of this run has, derived from the test's name (letters,
     *     digits and dashes, at most 100 characters): for topics, queues, exchanges, subscriptions
     */
    String freshName();

    /** @return a load run against the broker, recording into the test's recorder, with a fresh destination */
    LoadRun.Builder load();

    /** @return the report of the paced load the extension drove before the body, if it did */
    Optional<LoadReport> loadReport();

    /**
     * Registers {@code resource} to be closed after the test (after {@code @AfterEach} methods), in the
     * reverse order of registration; a failure to close is logged, never thrown.
     */
    void onClose(AutoCloseable resource);
}
