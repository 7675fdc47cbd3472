package io.latencylib.internal;

/**
 * The split of the latency model ("Boundaries and the split"), as a pure function: the instants of
 * one message in, boundaries b0..b5 and the facts about clamps out. The boundaries are made monotone
 * by clamping, so the five stages are never negative and sum exactly to end-to-end; absent instants
 * leave their boundary {@link #ABSENT}, which merges the neighbouring stages.
 *
 * <p>An instance is a reusable result holder (no allocation per message); {@link #compute} overwrites
 * it. Not thread-safe: one per thread.
 */
public final class Split {

    public static final long ABSENT = Ledger.ABSENT;
    /** Boundary indices b0..b5. */
    public static final int B_SEND = 0, B_DISPATCH = 1, B_APPEND = 2, B_COMMIT = 3, B_READY = 4, B_RECEIVE = 5;
    /** Resolution of the client's own instants, microseconds: moves up to this are not clamps. */
    static final long RESOLUTION_MICROS = 1;

    /** The boundaries, epoch microseconds; {@link #ABSENT} where not observed. */
    public final long[] b = new long[6];
    /** Per boundary, how far it had to be moved beyond its instant's resolution (0 when it was not). */
    public final long[] clampMicros = new long[6];
    /** True when some boundary was clamped ({@link #clampMicros} has a non-zero entry). */
    public boolean clamped;
    /** True when the busy time reached back beyond the consumer's checkpoints and was counted busy. */
    public boolean approximated;
    /** Bounds on (broker clock − client clock) this message implies, or {@link #ABSENT} without append time. */
    public long offsetLower, offsetUpper;

    /**
     * Splits one message.
     *
     * @param send         b0: when the application called send
     * @param dispatch     when the request left the client (exact or estimated), or {@link #ABSENT}
     * @param appendMillis the broker's append time in epoch milliseconds (an instant in [T, T+1 ms)), or ABSENT
     * @param commit       the producer's observation of the commit (its ack with acks=all, or the transaction's
     *                     commit), or ABSENT when not observed
     * @param receive      b5: when the message reached the consuming application
     * @param busy         the consumer's time line, or null when it is not at hand (see {@code freeSince})
     * @param freeSince    without {@code busy}: the instant since which the consumer had been free up to
     *                     {@code receive}; ABSENT when the time line is unknown (catch-up and fetch merged)
     * @return this, holding the result
     */
    public Split compute(long send, long dispatch, long appendMillis, long commit, long receive, BusyClock busy,
                         long freeSince) {
        if (clamped) {
            java.util.Arrays.fill(clampMicros, 0);
            clamped = false;
        }
        approximated = false;
        offsetLower = ABSENT;
        offsetUpper = ABSENT;
        long b0 = send;
        long b5 = receive;
        if (b5 < b0) {
            clamped(B_RECEIVE, b0 - b5);
            b5 = b0;
        }
        long b1 = ABSENT, b2 = ABSENT, b3 = ABSENT, b4 = ABSENT;
        long prev = b0;
        if (dispatch != ABSENT) {
            // an estimate: it cannot be later than the broker's append (the end of its millisecond window)
            long latest = appendMillis == ABSENT ? b5 : Math.max(b0, Math.min(b5, appendMillis * 1000 + 999));
            b1 = clamp(B_DISPATCH, dispatch, prev, latest);
            prev = b1;
        }
        long commitEnd = commit == ABSENT ? ABSENT : Math.min(commit, b5);
        if (appendMillis != ABSENT) {
            // the append lies in [T, T+1 ms): place it inside that window and between its neighbours
            long lo = appendMillis * 1000;
            long hi = lo + 999;
            long upper = commitEnd == ABSENT ? b5 : Math.max(commitEnd, prev);
            long from = Math.max(lo, prev);
            long to = Math.min(hi, upper);
            if (from <= to) {
                b2 = from + (to - from) / 2;
            } else if (hi < prev) {
                b2 = prev;
                clamped(B_APPEND, prev - hi);
            } else {
                b2 = upper;
                clamped(B_APPEND, lo - upper);
            }
            prev = b2;
            offsetLower = lo - (commitEnd == ABSENT ? receive : commitEnd);
            offsetUpper = hi - send;
        }
        if (commitEnd != ABSENT) {
            b3 = clamp(B_COMMIT, commitEnd, prev, b5);
            long busyTime = ABSENT;
            if (busy != null && busy.observed()) {
                busyTime = busy.busyBetween(b3, b5);
                approximated = busy.approximated();
            } else if (busy == null && freeSince != ABSENT) {
                // computed away from the consumer: free since freeSince, busy before it (counted approximated)
                busyTime = b3 >= freeSince ? 0 : Math.min(freeSince, b5) - b3;
                approximated = b3 < freeSince;
            }
            if (busyTime != ABSENT) {
                b4 = b3 + busyTime;
            }
        }
        b[0] = b0;
        b[1] = b1;
        b[2] = b2;
        b[3] = b3;
        b[4] = b4;
        b[5] = b5;
        return this;
    }

    private long clamp(int boundary, long value, long min, long max) {
        if (value < min) {
            if (min - value > RESOLUTION_MICROS) {
                clamped(boundary, min - value);
            }
            return min;
        }
        if (value > max) {
            if (value - max > RESOLUTION_MICROS) {
                clamped(boundary, value - max);
            }
            return max;
        }
        return value;
    }

    private void clamped(int boundary, long amount) {
        clamped = true;
        clampMicros[boundary] = Math.max(clampMicros[boundary], amount);
    }
}
