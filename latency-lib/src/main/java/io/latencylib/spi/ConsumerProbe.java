package io.latencylib.spi;

import io.latencylib.internal.BusyClock;
import io.latencylib.internal.JoinEngine;
import io.latencylib.internal.ProbeAccess;

/**
 * For broker adapters: the consumer side of one wrapped consumer. Not thread-safe: one per consumer,
 * used by the thread(s) that call it one at a time, like the consumer it serves.
 *
 * <p>It keeps the consumer's time line of the latency model: <em>free</em> while the application asks
 * for messages, <em>busy</em> while it handles them. Of the interval from a message's commit to its
 * receive, the busy time is catch-up (the message waited for the application) and the rest is fetch
 * (the application was asking and the message was on its way). Adapters report the changes:
 * <ul>
 *   <li>pulled messages: {@link #free} entering {@code poll()}/{@code receive()}, {@link #busy} when the
 *       call returned (whatever it returned);</li>
 *   <li>pushed deliveries: {@link #free} when the consumer subscribed and whenever a delivery handler
 *       returned, {@link #busy} when a handler is entered.</li>
 * </ul>
 * A probe that never hears of a call (an interceptor, which cannot see them) reports catch-up and fetch
 * merged. Before its first call a consumer counts as busy: it was not asking yet.
 */
public final class ConsumerProbe {

    /** Pass as append instant when the message carries no broker timestamp. */
    public static final long NO_APPEND_TIME = Long.MIN_VALUE;

    private final JoinEngine engine;
    private final BusyClock busyClock;

    static {
        ProbeAccess.register((ProbeAccess.ConsumerFactory) ConsumerProbe::new);
    }

    /** Made by {@code LatencyRecorder.newConsumerProbe(system)}. */
    private ConsumerProbe(JoinEngine engine, long createdMicros) {
        this.engine = engine;
        this.busyClock = new BusyClock(createdMicros);
    }

    /** The application asks for messages from {@code nowMicros} on (entering a poll; a handler returned; subscribed). */
    public void free(long nowMicros) {
        busyClock.free(nowMicros);
    }

    /** The application handles messages from {@code nowMicros} on (a poll returned; a handler is entered). */
    public void busy(long nowMicros) {
        busyClock.busy(nowMicros);
    }

    /**
     * @return a small dense index for a partition-like key (e.g. a Kafka {@code TopicPartition}),
     *     the same for equal keys across all consumers of the recorder, or -1 beyond the bounded number of
     *     partitions told apart; look it up once per poll, not per message
     */
    public int lane(Object partitionKey) {
        return engine.lane(partitionKey);
    }

    /** The broker flagged the delivery as a redelivery (counted apart from duplicates). */
    public void redelivered() {
        engine.redelivered();
    }

    /**
     * A message reached the application.
     *
     * @param stamp         the value of the stamp header, or null when the message has none
     * @param partition     the lane of the partition (or queue) it came from ({@link #lane}), -1 if none
     * @param appendMillis  the broker's append time in epoch milliseconds, or {@link #NO_APPEND_TIME}
     * @param receiveMicros when it reached the application: the instant the call returned, or the handler was entered
     * @return true when it carried a valid, plausible stamp; false when it was counted unstamped or implausible
     */
    public boolean received(byte[] stamp, int partition, long appendMillis, long receiveMicros) {
        return engine.received(stamp, partition, appendMillis, receiveMicros, busyClock);
    }
}
