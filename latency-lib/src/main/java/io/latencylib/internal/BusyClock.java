package io.latencylib.internal;

/**
 * One consumer's time line of the latency model, split into <em>free</em> (the application is asking
 * for messages) and <em>busy</em> (it is handling them), kept as a monotone busy clock: the total
 * busy time up to an instant. A bounded ring of checkpoints, one per change between free and busy,
 * answers {@link #busyBetween(long, long)} with a binary search and no allocation.
 *
 * <p>Two rings: the last {@value #CHECKPOINTS} changes exactly, and a coarse ring of
 * {@value #COARSE_CHECKPOINTS} of them at least {@value #COARSE_STEP_MICROS} µs apart (each the first change
 * that long after the one before), which reaches back at least 4 s however often the consumer calls. An
 * instant older than the exact ring but inside the coarse one is answered from the two coarse checkpoints
 * around it: exactly when it lies {@value #COARSE_STEP_MICROS} µs or more after the earlier one (no change
 * happened between it and the later one), else within half the step (1 ms), the resolution of a broker's
 * millisecond timestamp.
 *
 * <p>Before its first call a consumer counts as busy (it was not asking yet). An interval that
 * starts before the oldest checkpoint still in either ring counts its missing span as busy (the
 * consumer has been working through a backlog) and {@link #approximated()} says so.
 *
 * <p>Written and read by the consumer's own thread only (not thread-safe, like the consumers it serves).
 */
public final class BusyClock {

    /** Checkpoints kept: 1,024 changes between free and busy, 16 KiB per consumer. */
    public static final int CHECKPOINTS = 1024;
    private static final int MASK = CHECKPOINTS - 1;
    /** Coarse checkpoints: 2,048, at least {@value #COARSE_STEP_MICROS} µs apart (32 KiB per consumer). */
    public static final int COARSE_CHECKPOINTS = 2048;
    /** The least time between two coarse checkpoints, microseconds. */
    public static final long COARSE_STEP_MICROS = 2_000;
    private static final int COARSE_MASK = COARSE_CHECKPOINTS - 1;

    /** Scratch for the splits computed on this consumer's thread (no thread-local lookup per message). */
    final Split split = new Split();
    private final long[] at = new long[CHECKPOINTS];
    private final long[] busyUntil = new long[CHECKPOINTS];
    private final long[] coarseAt = new long[COARSE_CHECKPOINTS];
    /** Busy time up to the coarse checkpoint, times two, plus 1 when the consumer is busy after it. */
    private final long[] coarseBusyAndState = new long[COARSE_CHECKPOINTS];
    private long coarseCount;
    /** Checkpoints written so far; checkpoint k is busy after it when k is even (k = 0: created, busy). */
    private long count;
    /** The state after the last checkpoint: busy when {@code count − 1} is even (kept to skip the parity test). */
    private boolean busyNow = true;
    private boolean observed;
    private boolean approximated;

    /** @param createdMicros when the consumer was created: busy from then until its first call */
    public BusyClock(long createdMicros) {
        at[0] = createdMicros;
        busyUntil[0] = 0;
        count = 1;
        coarseAt[0] = createdMicros;
        coarseBusyAndState[0] = 1; // busy time 0, busy after it
        coarseCount = 1;
    }

    /** @return true once the consumer reported a call (an interceptor never does: then the time line is unknown) */
    public boolean observed() {
        return observed;
    }

    /** The application is asking for messages from {@code nowMicros} on. */
    public void free(long nowMicros) {
        change(nowMicros, false);
    }

    /** The application is handling messages from {@code nowMicros} on. */
    public void busy(long nowMicros) {
        change(nowMicros, true);
    }

    private void change(long now, boolean toBusy) {
        observed = true;
        if (toBusy == busyNow) {
            return; // the common repeat (a poll loop that finds nothing): no checkpoint
        }
        busyNow = toBusy;
        int last = (int) ((count - 1) & MASK);
        long lastAt = at[last];
        long t = Math.max(now, lastAt); // the clock stays monotone even if the wall clock steps back
        if (t == lastAt && count > 1) {
            count--; // a change back at the same instant: the span in between was empty, keep no checkpoint for it
            if (coarseAt[(int) ((coarseCount - 1) & COARSE_MASK)] == t && coarseCount > 1) {
                coarseCount--; // it was a coarse checkpoint too (checkpoints have distinct instants)
            }
            return;
        }
        int next = (int) (count & MASK);
        at[next] = t;
        long busyTotal = toBusy ? busyUntil[last] : busyUntil[last] + (t - lastAt); // busy until now when turning free
        busyUntil[next] = busyTotal;
        count++;
        if (t - coarseAt[(int) ((coarseCount - 1) & COARSE_MASK)] >= COARSE_STEP_MICROS) {
            int c = (int) (coarseCount & COARSE_MASK);
            coarseAt[c] = t;
            coarseBusyAndState[c] = busyTotal * 2 + (toBusy ? 1 : 0);
            coarseCount++;
        }
    }

    /** @return the consumer's busy time up to {@code t}, microseconds (see {@link #approximated()}) */
    long busyUpTo(long t) {
        long lastK = count - 1;
        int last = (int) (lastK & MASK);
        if (t >= at[last]) {
            // the common case: the commit and receive lie after the last change (no search)
            return busyUntil[last] + ((lastK & 1) == 0 ? t - at[last] : 0);
        }
        long oldestK = Math.max(0, count - CHECKPOINTS);
        int oldest = (int) (oldestK & MASK);
        if (t < at[oldest]) {
            if (oldestK == 0) {
                return busyUntil[oldest] - (at[oldest] - t); // before creation the consumer was busy too (not asking yet)
            }
            return coarseBusyUpTo(t, at[oldest], busyUntil[oldest], (oldestK & 1) != 0);
        }
        long lo = lastAtOrBefore(at, MASK, oldestK, count - 1, t);
        int i = (int) (lo & MASK);
        return busyUntil[i] + ((lo & 1) == 0 ? t - at[i] : 0);
    }

    /** @return the number, in [{@code lo}, {@code hi}], of the last checkpoint of the ring {@code at} at or before {@code t} */
    private static long lastAtOrBefore(long[] at, int mask, long lo, long hi, long t) {
        while (lo < hi) {
            long mid = (lo + hi + 1) >>> 1;
            if (at[(int) (mid & mask)] <= t) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * The busy time up to {@code t}, older than the exact ring, from the coarse ring.
     *
     * @param nextAt the oldest exact checkpoint, after {@code t}
     * @param nextBusy the busy time up to it
     * @param busyBeforeNext whether the consumer was busy just before it
     */
    private long coarseBusyUpTo(long t, long nextAt, long nextBusy, boolean busyBeforeNext) {
        long oldestK = Math.max(0, coarseCount - COARSE_CHECKPOINTS);
        int oldest = (int) (oldestK & COARSE_MASK);
        if (t < coarseAt[oldest]) {
            // older than both rings (or than creation): the missing span counts as busy
            approximated = oldestK > 0;
            return (coarseBusyAndState[oldest] >> 1) - (coarseAt[oldest] - t);
        }
        long lo = lastAtOrBefore(coarseAt, COARSE_MASK, oldestK, coarseCount - 1, t);
        int i = (int) (lo & COARSE_MASK);
        long fromAt = coarseAt[i];
        long fromBusy = coarseBusyAndState[i] >> 1;
        if (lo + 1 < coarseCount && coarseAt[(int) ((lo + 1) & COARSE_MASK)] < nextAt) {
            int j = (int) ((lo + 1) & COARSE_MASK); // the next coarse checkpoint is nearer than the exact ring
            nextAt = coarseAt[j];
            nextBusy = coarseBusyAndState[j] >> 1;
            busyBeforeNext = (coarseBusyAndState[j] & 1) == 0; // a change: the state before it is the other one
        }
        if (t - fromAt >= COARSE_STEP_MICROS) {
            // every change after fromAt and before nextAt came within the step: from t to nextAt nothing changed
            return nextBusy - (busyBeforeNext ? nextAt - t : 0);
        }
        // inside the step after fromAt: between what the two checkpoints allow, at most 1 ms either way
        long least = Math.max(fromBusy, nextBusy - (nextAt - t));
        long most = Math.min(nextBusy, fromBusy + (t - fromAt));
        return least + (most - least) / 2;
    }

    /**
     * @return how long the consumer was busy inside [{@code from}, {@code to}], microseconds, between 0 and
     *     {@code to − from} (within 1 ms at each end answered from the coarse ring); sets {@link #approximated()}
     *     when {@code from} is older than both rings
     */
    public long busyBetween(long from, long to) {
        approximated = false;
        if (to <= from) {
            return 0;
        }
        long lastK = count - 1;
        long lastAt = at[(int) (lastK & MASK)];
        if (from >= lastAt) {
            return (lastK & 1) == 0 ? to - from : 0; // both after the last change: all busy or all free
        }
        long busy = busyUpTo(to) - busyUpTo(from);
        return Math.max(0, Math.min(busy, to - from));
    }

    /** @return true when the last {@link #busyBetween} reached back beyond the ring and counted the missing span as busy */
    public boolean approximated() {
        return approximated;
    }

    /**
     * @return the instant since which the consumer had been free without a break just before {@code t} (a
     *     receive instant: a call that returns at {@code t} or a handler entered at {@code t} ends the free
     *     span there), or {@code t} itself when it was already busy then (an adapter that turned busy before
     *     it read the receive instant); lets a split computed later on another thread tell the busy time after
     *     that instant. {@link Ledger#ABSENT} when the time line is not observed.
     */
    public long freeSinceBefore(long t) {
        if (!observed) {
            return Ledger.ABSENT;
        }
        long k = count - 1;
        int last = (int) (k & MASK);
        if ((k & 1) == 0 && at[last] >= t && k > 0) {
            k--; // turned busy at t: the free span ended there
        }
        if ((k & 1) == 0) {
            return t; // busy at t: no free span before it
        }
        return at[(int) (k & MASK)];
    }
}
