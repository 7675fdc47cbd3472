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

    private PacedSend() {
    }

    /** The next send on this thread was due at {@code intendedMicros} (epoch microseconds). */
    public static void intend(long intendedMicros) {
        INTENDED.get()[0] = intendedMicros;
    }

    /** @return the intended instant set for this send and clears it, or {@link LatencyStamp#NOT_PACED} */
    public static long takeIntended() {
        long[] holder = INTENDED.get();
        long intended = holder[0];
        holder[0] = LatencyStamp.NOT_PACED;
        return intended;
    }
}
