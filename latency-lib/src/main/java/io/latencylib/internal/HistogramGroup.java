package io.latencylib.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.AtomicHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * Interval recording of several histograms under one {@link WriterReaderPhaser}, the way
 * HdrHistogram's {@code Recorder} records one: writers enter the phaser once per message and record
 * all of its values ({@link AtomicHistogram}, wait-free, no allocation); the reader swaps the active
 * and inactive sets and drains the inactive one. One phaser for all the stages of a message costs
 * two atomic operations instead of two per value.
 */
final class HistogramGroup {

    private final long highest;
    private final int digits;
    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    /** Per histogram, its two halves, created on first use. */
    private final AtomicReferenceArray<AtomicHistogram[]> pairs;
    private volatile int active;

    HistogramGroup(int count, long highest, int digits) {
        this.pairs = new AtomicReferenceArray<>(count);
        this.highest = highest;
        this.digits = digits;
    }

    /**
     * Starts recording one message's values: enter the phaser, then read {@link #side()} once and record every
     * value of the message into that set; pass the result to {@link #end(long)}.
     */
    long begin() {
        return phaser.writerCriticalSectionEnter();
    }

    /**
     * @return the set (0 or 1) to record into, read once per message after {@link #begin()}: a flip by the reader
     *     meanwhile waits for this writer to leave before it drains the set read here, so all of a message's values
     *     land in one interval (one volatile read per message instead of one per value)
     */
    int side() {
        return active;
    }

    void end(long token) {
        phaser.writerCriticalSectionExit(token);
    }

    /**
     * Records {@code value} (saturated to the tracked range) into histogram {@code index} of set {@code side};
     * between begin and end.
     */
    void record(int side, int index, long value) {
        AtomicHistogram[] pair = pairs.get(index);
        if (pair == null) {
            pair = create(index);
        }
        pair[side].recordValue(Math.min(Math.max(value, 0), highest));
    }

    /** Records one value on its own: begin, record, end. */
    void recordOne(int index, long value) {
        long token = phaser.writerCriticalSectionEnter();
        record(active, index, value);
        phaser.writerCriticalSectionExit(token);
    }

    private AtomicHistogram[] create(int index) {
        AtomicHistogram[] pair = {new AtomicHistogram(highest, digits), new AtomicHistogram(highest, digits)};
        return pairs.compareAndSet(index, null, pair) ? pair : pairs.get(index);
    }

    /** Adds everything recorded since the last call to {@code into} (created as needed), and forgets it. */
    void drainInto(Histogram[] into) {
        phaser.readerLock();
        try {
            int drained = active;
            active = 1 - drained;
            phaser.flipPhase();
            for (int i = 0; i < pairs.length(); i++) {
                AtomicHistogram[] pair = pairs.get(i);
                if (pair != null) {
                    if (into[i] == null) {
                        into[i] = new Histogram(highest, digits);
                    }
                    into[i].add(pair[drained]);
                    pair[drained].reset();
                }
            }
        } finally {
            phaser.readerUnlock();
        }
    }
}
