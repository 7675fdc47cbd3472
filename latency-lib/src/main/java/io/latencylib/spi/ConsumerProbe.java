package io.latencylib.spi;

import io.latencylib.internal.JoinEngine;

/**
 * For broker adapters: the consumer side of one wrapped consumer. Not thread-safe: one per consumer.
 *
 * <p>It keeps the {@code ready} instant of the latency model: the moment the application became
 * free to take the next message. For pulled messages that is the start of the first poll after the
 * previous non-empty one returned (empty polls in between continue the same wait); for pushed
 * deliveries, the moment the previous delivery's handler returned.
 */
public final class ConsumerProbe {

    /** Pass as append instant when the message carries no broker timestamp. */
    public static final long NO_APPEND_TIME = Long.MIN_VALUE;
    /** Pass as ready instant when the start of the wait is not visible (catch-up and fetch are then merged). */
    public static final long READY_UNKNOWN = Long.MIN_VALUE;

    private final JoinEngine engine;
    private boolean waiting;
    private long readyMicros = Long.MIN_VALUE;

    public ConsumerProbe(JoinEngine engine) {
        this.engine = engine;
    }

    /** The application asks for messages (start of poll/receive). @return the ready instant for what it returns */
    public long pollStarted(long nowMicros) {
        if (!waiting) {
            waiting = true;
            readyMicros = nowMicros;
        }
        return readyMicros;
    }

    /** The poll returned {@code count} messages. */
    public void pollReturned(int count) {
        if (count > 0) {
            waiting = false;
        }
    }

    /** For pushed deliveries: the handler of a delivery returned, or the consumer subscribed. */
    public void becameReady(long nowMicros) {
        waiting = true;
        readyMicros = nowMicros;
    }

    /** @return the current ready instant */
    public long readyMicros() {
        return readyMicros;
    }

    /**
     * @return a small dense index for a partition-like key (e.g. a Kafka {@code TopicPartition}),
     *     the same for equal keys across all consumers of the recorder; look it up once per poll, not per message
     */
    public int lane(Object partitionKey) {
        return engine.lane(partitionKey);
    }

    /** The broker flagged the delivery as a redelivery (counted apart from duplicates). */
    public void redelivered() {
        engine.redelivered.increment();
    }

    /**
     * A message reached the application.
     *
     * @param stamp        the value of the stamp header, or null when the message has none
     * @param partition    the partition (or queue index) it came from, -1 if none
     * @param appendMillis the broker's append time in epoch milliseconds, or {@link #NO_APPEND_TIME}
     * @return true when it carried a valid stamp; false when it was counted as unstamped
     */
    public boolean received(byte[] stamp, int partition, long appendMillis, long readyMicros, long receiveMicros) {
        return engine.received(stamp, partition, appendMillis, readyMicros, receiveMicros);
    }
}
