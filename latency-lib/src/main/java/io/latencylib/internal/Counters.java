package io.latencylib.internal;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's monotone counters, by name. {@link #snapshot(long)} reads them into the public
 * {@link LatencyReport.Counts}; a report's counts are the difference of two snapshots.
 */
public final class Counters {

    final LongAdder sent = new LongAdder();
    final LongAdder acked = new LongAdder();
    final LongAdder sendErrors = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder joined = new LongAdder();
    final LongAdder unjoined = new LongAdder();
    final LongAdder lost = new LongAdder();
    final LongAdder duplicated = new LongAdder();
    final LongAdder reordered = new LongAdder();
    final LongAdder unstamped = new LongAdder();
    final LongAdder evicted = new LongAdder();
    final LongAdder redelivered = new LongAdder();
    final LongAdder implausible = new LongAdder();
    final LongAdder aborted = new LongAdder();
    final LongAdder returned = new LongAdder();
    final LongAdder untracked = new LongAdder();
    final LongAdder approximated = new LongAdder();
    final LongAdder overflowed = new LongAdder();
    /** Clamps per boundary b1..b5 that moved an instant by more than its resolution, and the largest move. */
    private final LongAdder[] clamps = new LongAdder[6];
    private final AtomicLong[] largestClampMicros = new AtomicLong[6];

    Counters() {
        for (int i = 0; i < clamps.length; i++) {
            clamps[i] = new LongAdder();
            largestClampMicros[i] = new AtomicLong();
        }
    }

    void clamped(int boundary, long amount) {
        clamps[boundary].increment();
        AtomicLong largest = largestClampMicros[boundary];
        if (amount > largest.get()) {
            largest.accumulateAndGet(amount, Math::max); // rarely: only when the largest moves
        }
    }

    /** @return the clamps at the end of {@code stage} so far */
    public long clamps(Stage stage) {
        return clamps[stage.ordinal() + 1].sum();
    }

    /** @return the largest clamp at the end of {@code stage} so far, microseconds */
    public long largestClampMicros(Stage stage) {
        return largestClampMicros[stage.ordinal() + 1].get();
    }



    // live reads, one counter each
    public long sent() {
        return sent.sum();
    }

    public long acked() {
        return acked.sum();
    }

    public long sendErrors() {
        return sendErrors.sum();
    }

    public long received() {
        return received.sum();
    }

    public long joined() {
        return joined.sum();
    }

    public long unjoined() {
        return unjoined.sum();
    }

    public long lost() {
        return lost.sum();
    }

    public long duplicated() {
        return duplicated.sum();
    }

    public long reordered() {
        return reordered.sum();
    }

    public long unstamped() {
        return unstamped.sum();
    }

    public long evicted() {
        return evicted.sum();
    }

    public long redelivered() {
        return redelivered.sum();
    }

    public long implausible() {
        return implausible.sum();
    }

    public long aborted() {
        return aborted.sum();
    }

    public long returned() {
        return returned.sum();
    }

    public long untracked() {
        return untracked.sum();
    }

    public long approximated() {
        return approximated.sum();
    }

    /** @return the counts now; {@code inFlight} is not a counter and is passed in */
    public LatencyReport.Counts snapshot(long inFlight) {
        return new LatencyReport.Counts(sent.sum(), acked.sum(), sendErrors.sum(), received.sum(), joined.sum(),
                unjoined.sum(), lost.sum(), duplicated.sum(), reordered.sum(), unstamped.sum(), evicted.sum(), inFlight,
                redelivered.sum(), implausible.sum(), aborted.sum(), returned.sum(), untracked.sum(),
                approximated.sum());
    }

    /** @return the clamps per stage now, indexed by stage ordinal */
    public long[] clampSnapshot() {
        long[] c = new long[Stage.values().length];
        for (Stage s : Stage.values()) {
            c[s.ordinal()] = clamps(s);
        }
        return c;
    }
}
