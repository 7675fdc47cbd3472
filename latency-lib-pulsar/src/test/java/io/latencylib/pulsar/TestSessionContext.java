package io.latencylib.pulsar;

import io.latencylib.LatencyRecorder;
import io.latencylib.junit.spi.ProvisionedBroker;
import io.latencylib.junit.spi.SessionContext;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.pulsar.junit.PulsarSession;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the extension gives a broker to open a session, built by a test: a recorder of its own, fresh
 * names, load against the broker, and the resources to close, closed by {@link #close()} in the
 * reverse order of registration. Unlike the extension it throws when a close failed, so a test sees it.
 */
final class TestSessionContext implements SessionContext, AutoCloseable {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private final ProvisionedBroker broker;
    private final LatencyRecorder recorder = LatencyRecorder.create();
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private LoadReport loadReport;

    TestSessionContext(ProvisionedBroker broker) {
        this.broker = broker;
    }

    /** @return the session the broker opens on this context */
    PulsarSession open() {
        return (PulsarSession) broker.openSession(this);
    }

    /** Sets what {@link #loadReport()} returns, as the extension does after paced load. */
    void loadReport(LoadReport report) {
        this.loadReport = report;
    }

    @Override
    public LatencyRecorder recorder() {
        return recorder;
    }

    @Override
    public String freshName() {
        return "session-test-" + RUN + "-" + NAMES.incrementAndGet();
    }

    @Override
    public LoadRun.Builder load() {
        return LoadRun.builder(broker.newLoadDriver()).recorder(recorder).destination(freshName());
    }

    @Override
    public Optional<LoadReport> loadReport() {
        return Optional.ofNullable(loadReport);
    }

    @Override
    public synchronized void onClose(AutoCloseable resource) {
        toClose.push(resource);
    }

    /** @return how many resources are registered to be closed */
    synchronized int registered() {
        return toClose.size();
    }

    @Override
    public synchronized void close() {
        List<Exception> failures = new ArrayList<>();
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError("closing the session failed: " + failures);
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }
}
