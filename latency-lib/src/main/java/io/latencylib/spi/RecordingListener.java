package io.latencylib.spi;

/**
 * Sees every value a recorder records, on the thread that records it, as it records it: for
 * exporters that must show the same recording as the reports (Micrometer meters, for one). Called on
 * hot paths: implementations must be fast, take no locks and allocate nothing.
 * Register with {@code LatencyRecorder.addListener}.
 */
public interface RecordingListener {

    /** Value of a boundary that was not observed. */
    long ABSENT = Long.MIN_VALUE;

    /**
     * A message's split was recorded.
     *
     * @param send     b0, microseconds since the epoch
     * @param dispatch b1 or {@link #ABSENT}
     * @param append   b2 or {@link #ABSENT}
     * @param commit   b3 or {@link #ABSENT}
     * @param ready    b4 or {@link #ABSENT}
     * @param receive  b5
     * @param intended the intended send instant of a paced message, or {@link #ABSENT}
     */
    void onMessage(long send, long dispatch, long append, long commit, long ready, long receive, long intended);

    /** A producer's acknowledgement was recorded: producer latency is {@code ackMicros − sendMicros}. */
    void onAcknowledgement(long sendMicros, long ackMicros);
}
