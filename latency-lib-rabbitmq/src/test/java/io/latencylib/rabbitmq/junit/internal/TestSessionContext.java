package io.latencylib.rabbitmq.junit.internal;

import io.latencylib.LatencyRecorder;
import io.latencylib.junit.spi.ProvisionedBroker;
import io.latencylib.junit.spi.SessionContext;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.UUID;

/** A {@link SessionContext} as the extension gives one, built by a test: its own recorder, names, closing. */
final class TestSessionContext implements SessionContext, AutoCloseable {

    private final ProvisionedBroker broker;
    private final LatencyRecorder recorder = LatencyRecorder.create();
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final String prefix;
    private int names;

    TestSessionContext(ProvisionedBroker broker, String testName) {
        this.broker = broker;
        this.prefix = "latency-" + testName;
    }

    @Override
    public LatencyRecorder recorder() {
        return recorder;
    }

    @Override
    public synchronized String freshName() {
        return prefix + "-" + (++names) + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    public LoadRun.Builder load() {
        return LoadRun.builder(broker.newLoadDriver()).recorder(recorder).destination(freshName());
    }

    @Override
    public Optional<LoadReport> loadReport() {
        return Optional.empty();
    }

    @Override
    public synchronized void onClose(AutoCloseable resource) {
        toClose.push(resource);
    }

    /** Closes what was registered, the last first, as the extension does after the test. */
    @Override
    public synchronized void close() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }
}
