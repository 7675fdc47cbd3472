package io.latencylib;

import io.latencylib.internal.JoinEngine;

/**
 * The counts of a {@link LatencyRecorder} since it was created, read live: each method reads one
 * counter, cheaply and without allocating (for meters, progress lines and load runners);
 * {@link #snapshot()} reads them all at once. {@link LatencyReport#counts()} holds the counts of a report's
 * interval instead. See {@link LatencyReport.Counts} for what each count means.
 */
public final class LiveCounts {

    private final JoinEngine engine;

    LiveCounts(JoinEngine engine) {
        this.engine = engine;
    }

    public long sent() {
        return engine.counters().sent();
    }

    public long acked() {
        return engine.counters().acked();
    }

    public long sendErrors() {
        return engine.counters().sendErrors();
    }

    public long received() {
        return engine.counters().received();
    }

    public long joined() {
        return engine.counters().joined();
    }

    public long unjoined() {
        return engine.counters().unjoined();
    }

    public long lost() {
        return engine.counters().lost();
    }

    public long duplicated() {
        return engine.counters().duplicated();
    }

    public long reordered() {
        return engine.counters().reordered();
    }

    public long unstamped() {
        return engine.counters().unstamped();
    }

    public long evicted() {
        return engine.counters().evicted();
    }

    public long redelivered() {
        return engine.counters().redelivered();
    }

    public long implausible() {
        return engine.counters().implausible();
    }

    public long aborted() {
        return engine.counters().aborted();
    }

    public long returned() {
        return engine.counters().returned();
    }

    public long untracked() {
        return engine.counters().untracked();
    }

    public long approximated() {
        return engine.counters().approximated();
    }

    /** @return messages sent and neither received nor given up yet; scans the join tables (not per message) */
    public long inFlight() {
        return engine.inFlight();
    }

    /** @return the clamps at the end of {@code stage} */
    public long clamps(Stage stage) {
        return engine.counters().clamps(stage);
    }

    /** @return all counts now */
    public LatencyReport.Counts snapshot() {
        return engine.counters().snapshot(engine.inFlight());
    }
}
