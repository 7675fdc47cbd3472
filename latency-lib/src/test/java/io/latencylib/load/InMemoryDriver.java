package io.latencylib.load;

import io.latencylib.LatencyRecorder;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A load driver for the core's own tests: it delivers every message at once, with synthetic instants
 * a little in the future (0.3 ms publish, 0.2 ms commit). Tests can make it drop messages
 * ({@link #deliverWhen}) or stall one send ({@link #stallAt}), to see what the pacing code does then.
 */
public final class InMemoryDriver implements LoadDriver {
    private final Predicate<String> deliverTo;
    private LatencyRecorder recorder;
    private ProducerProbe producer;
    private ConsumerProbe consumer;
    private boolean delivering;
    private long stallAt = -1;
    private long stallNanos;
    private Predicate<String> stallOn = destination -> true;
    private boolean stalling;
    private long sends;

    public InMemoryDriver() {
        this(destination -> true);
    }

    private InMemoryDriver(Predicate<String> deliverTo) {
        this.deliverTo = deliverTo;
    }

    /** A driver whose consumers receive nothing on the destinations {@code deliverTo} rejects. */
    public static InMemoryDriver deliverWhen(Predicate<String> deliverTo) {
        return new InMemoryDriver(deliverTo);
    }

    /** The send of message number {@code index} (counted from the first send of a run) blocks this long. */
    public InMemoryDriver stallAt(long index, Duration stall) {
        this.stallAt = index;
        this.stallNanos = stall.toNanos();
        return this;
    }

    /** Stall (as {@link #stallAt}) only on the destinations {@code stallOn} accepts. */
    public InMemoryDriver stallWhen(Predicate<String> stallOn) {
        this.stallOn = stallOn;
        return this;
    }

    @Override
    public String system() {
        return "memory";
    }

    @Override
    public synchronized void open(String destination, int producers, int consumers, LatencyRecorder recorder) {
        this.recorder = recorder;
        this.producer = recorder.newProducerProbe("memory", true, Duration.ZERO, 16384, 5);
        this.consumer = consumers > 0 ? recorder.newConsumerProbe("test") : null;
        this.delivering = deliverTo.test(destination);
        this.stalling = stallOn.test(destination);
        this.sends = 0;
    }

    @Override
    public Sender sender(int index) {
        return (key, payload, intendedMicros) -> {
            if (sends++ == stallAt && stalling) {
                long until = System.nanoTime() + stallNanos;
                while (System.nanoTime() < until) {
                    LockSupport.parkNanos(until - System.nanoTime());
                }
            }
            synchronized (this) {
                long now = recorder.clock().nowMicros();
                byte[] stamp = producer.beginSend(now, intendedMicros);
                producer.sendReturned(stamp, now + 5);
                long dispatch = now + 20;
                long append = dispatch + 300;
                producer.acked(stamp, append + 250, dispatch, 0, ProducerProbe.NEW_REQUEST, payload.length);
                if (consumer != null && delivering) {
                    consumer.free(append + 100);
                    consumer.received(stamp, 0, append / 1000, append + 400);
                    consumer.busy(append + 400);
                }
            }
        };
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
