package io.latencylib.junit.spi;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.junit.LatencySession;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import java.util.Objects;
import java.util.Optional;

/**
 * The part of every system's session that does not depend on the system: what {@link LatencySession}
 * declares, served from the {@link SessionContext} the extension gave. A provider's session extends
 * it and adds its system's destinations and clients.
 */
public abstract class SessionSupport implements LatencySession {

    private final String system;
    private final SessionContext context;

    /**
     * @param system  the system's name, as {@link LatencySystemProvider#system()} gives it
     * @param context the context of the test invocation
     */
    protected SessionSupport(String system, SessionContext context) {
        this.system = Objects.requireNonNull(system, "system");
        this.context = Objects.requireNonNull(context, "context");
    }

    /** @return the context of the test invocation: its recorder, fresh names, what to close after it */
    protected final SessionContext context() {
        return context;
    }

    @Override
    public final String system() {
        return system;
    }

    @Override
    public final LatencyRecorder recorder() {
        return context.recorder();
    }

    @Override
    public final LatencyReport report() {
        return context.recorder().report();
    }

    @Override
    public final LoadRun.Builder load() {
        return context.load();
    }

    @Override
    public final Optional<LoadReport> loadReport() {
        return context.loadReport();
    }
}
