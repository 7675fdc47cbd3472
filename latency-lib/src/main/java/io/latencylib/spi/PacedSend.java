package io.latencylib.spi;

import io.latencylib.LatencyStamp;

/**
 * Hands the intended send instant of a paced message from a load driver to the wrapper that stamps
 * it, on the sending thread: the driver calls {@link #intend(long)} right before the client's send,
 * the wrapper calls {@link #takeIntended()} at the start of it. Application traffic never calls
 * {@code intend}, so its messages are stamped as not paced.
 */
public final class PacedSend {

    private static final ThreadLocal<long[]> INTENDED = ThreadLocal.withInitial(() -> new long[] {LatencyStamp.NOT_PACED});
    /**
     * Set once the first paced send is announced: until then (an application that never runs a load driver)
     * {@link #takeIntended()} skips the thread-local lookup on every send.
     */
    private static volatile boolean used;

    private PacedSend() {
    }

    /** The next send on this thread was due at {@code intendedMicros} (epoch microseconds). */
    public static void intend(long intendedMicros) {
        if (!used) {
            used = true;
        }
        INTENDED.get()[0] = intendedMicros;
    }

    /** @return the intended instant set for this send and clears it, or {@link LatencyStamp#NOT_PACED} */
    public static long takeIntended() {
        if (!used) {
            return LatencyStamp.NOT_PACED;
        }
        long[] holder = INTENDED.get();
        long intended = holder[0];
        holder[0] = LatencyStamp.NOT_PACED;
        return intended;
    }
}
