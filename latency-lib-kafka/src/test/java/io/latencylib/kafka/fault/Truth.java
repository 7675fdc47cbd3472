package io.latencylib.kafka.fault;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.producer.Callback;

/**
 * What really happened to each value of a fault test, counted by the test's own code and nothing of the
 * library's: every value sent, acknowledged (send callback without exception), failed (callback with one),
 * and every time it was received. Values are the ints 0, 1, 2, ... in the first four bytes of the payload.
 */
final class Truth {

    private final int capacity;
    private final AtomicIntegerArray outcome; // 0 pending, 1 acknowledged, 2 failed
    private final AtomicIntegerArray receipts;
    private final AtomicLongArray firstReceiveMicros;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong receiveEvents = new AtomicLong();
    private final AtomicLong distinct = new AtomicLong();
    private volatile Exception firstFailure;

    Truth(int capacity) {
        this.capacity = capacity;
        this.outcome = new AtomicIntegerArray(capacity);
        this.receipts = new AtomicIntegerArray(capacity);
        this.firstReceiveMicros = new AtomicLongArray(capacity);
    }

    int capacity() {
        return capacity;
    }

    /** A payload of {@code size} bytes carrying {@code value}. */
    static byte[] payload(int value, int size) {
        return ByteBuffer.allocate(Math.max(4, size)).putInt(0, value).array();
    }

    static int value(byte[] payload) {
        return ByteBuffer.wrap(payload).getInt(0);
    }

    /** Counts {@code value} as sent and returns the callback that counts its outcome. */
    Callback sent(int value) {
        sent.incrementAndGet();
        return (metadata, exception) -> {
            if (exception == null) {
                if (outcome.compareAndSet(value, 0, 1)) {
                    acked.incrementAndGet();
                }
            } else if (outcome.compareAndSet(value, 0, 2)) {
                failed.incrementAndGet();
                if (firstFailure == null) {
                    firstFailure = exception;
                }
            }
        };
    }

    /** Counts one receipt of {@code value} at {@code micros}. */
    void received(int value, long micros) {
        receiveEvents.incrementAndGet();
        if (receipts.getAndIncrement(value) == 0) {
            firstReceiveMicros.set(value, micros);
            distinct.incrementAndGet();
        }
    }

    long sent() {
        return sent.get();
    }

    long acked() {
        return acked.get();
    }

    long failed() {
        return failed.get();
    }

    Exception firstFailure() {
        return firstFailure;
    }

    /** Every receipt, the repeated ones included. */
    long receiveEvents() {
        return receiveEvents.get();
    }

    /** Values received at least once. */
    long distinct() {
        return distinct.get();
    }

    /** Receipts of a value beyond its first. */
    long duplicates() {
        return receiveEvents.get() - distinct.get();
    }

    int receipts(int value) {
        return receipts.get(value);
    }

    boolean isAcked(int value) {
        return outcome.get(value) == 1;
    }

    long firstReceiveMicros(int value) {
        return firstReceiveMicros.get(value);
    }

    /** Values acknowledged but never received, among the first {@code sent} values. */
    long ackedNotReceived() {
        long n = 0;
        int end = (int) Math.min(capacity, sent.get());
        for (int v = 0; v < end; v++) {
            if (outcome.get(v) == 1 && receipts.get(v) == 0) {
                n++;
            }
        }
        return n;
    }

    /** Values received more than once. */
    long valuesReceivedTwiceOrMore() {
        long n = 0;
        int end = (int) Math.min(capacity, sent.get());
        for (int v = 0; v < end; v++) {
            if (receipts.get(v) > 1) {
                n++;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return String.format("truth: %d sent, %d acked, %d failed, %d received (%d distinct, %d duplicates)",
                sent(), acked(), failed(), receiveEvents(), distinct(), duplicates());
    }
}
