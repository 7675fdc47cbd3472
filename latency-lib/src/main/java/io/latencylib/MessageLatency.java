package io.latencylib;

import java.util.Arrays;

/**
 * The split of one message, handed to a listener set with
 * {@link LatencyRecorder.Builder#messageListener(java.util.function.Consumer)}.
 *
 * <p>Boundaries b0..b5 (send, dispatch, append, commit, ready, receive) are in microseconds since
 * the epoch, already clamped monotone; an unobserved boundary is {@link #ABSENT} and merges the two
 * stages around it.
 */
public final class MessageLatency {

    /** Value of a boundary that was not observed for this message. */
    public static final long ABSENT = Long.MIN_VALUE;

    private final long producerId;
    private final long sequence;
    private final long intendedMicros;
    private final long[] boundaries;

    /** Created by the library; {@code boundaries} has six entries and is not copied. */
    public MessageLatency(long producerId, long sequence, long intendedMicros, long[] boundaries) {
        this.producerId = producerId;
        this.sequence = sequence;
        this.intendedMicros = intendedMicros;
        this.boundaries = boundaries;
    }

    public long producerId() {
        return producerId;
    }

    public long sequence() {
        return sequence;
    }

    /** @return when the schedule wanted the send to start, or {@link #ABSENT} outside paced load */
    public long intendedMicros() {
        return intendedMicros;
    }

    /** @return boundary {@code index} (0 = send … 5 = receive), or {@link #ABSENT} */
    public long boundaryMicros(int index) {
        return boundaries[index];
    }

    /** @return receive − send, microseconds */
    public long endToEndMicros() {
        return boundaries[5] - boundaries[0];
    }

    /** @return true when both boundaries of {@code stage} were observed */
    public boolean observed(Stage stage) {
        return boundaries[stage.ordinal()] != ABSENT && boundaries[stage.ordinal() + 1] != ABSENT;
    }

    /** @return the duration of {@code stage} in microseconds, or -1 when it is merged with a neighbour */
    public long stageMicros(Stage stage) {
        return observed(stage) ? boundaries[stage.ordinal() + 1] - boundaries[stage.ordinal()] : -1;
    }

    @Override
    public String toString() {
        return "MessageLatency{producer=" + Long.toHexString(producerId) + ", seq=" + sequence
                + ", boundaries=" + Arrays.toString(boundaries) + '}';
    }
}
