package io.latencylib.internal;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * Interval recording of several histograms under one {@link WriterReaderPhaser}, the way
 * HdrHistogram's {@code Recorder} records one: writers enter the phaser once per message and record
 * all of its values (wait-free, no allocation); the reader swaps the active and inactive sets and
 * drains the inactive one. One phaser for all the stages of a message costs two atomic operations
 * instead of two per value.
 *
 * <p>A set holds, per histogram, only the counts of an {@code AtomicHistogram} ({@code new Histogram(highest,
 * digits)}'s buckets, lowest discernible value 1): one atomic increment per value, where an {@code AtomicHistogram}
 * also counts its total and tracks its minimum and maximum atomically. Draining adds each bucket's count at the
 * bucket's lowest value, which is what recording the values themselves gives: the same counts, total, and (as a
 * histogram reports them) the same minimum and maximum.
 */
final class HistogramGroup {

    private final long highest;
    private final int digits;
    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    /** Per histogram, the counts of its two sets, created on first use. */
    private final AtomicReferenceArray<AtomicLongArray[]> pairs;
    private volatile int active;

    // HdrHistogram's bucket layout for lowest discernible value 1 (unit magnitude 0)
    private final int subBucketHalfCountMagnitude;
    private final int subBucketHalfCount;
    private final long subBucketMask;
    private final int leadingZeroCountBase;
    /** Counts per histogram: buckets up to the one holding {@code highest}. */
    private final int length;

    HistogramGroup(int count, long highest, int digits) {
        this.pairs = new AtomicReferenceArray<>(count);
        this.highest = highest;
        this.digits = digits;
        long largestValueWithSingleUnitResolution = 2 * (long) Math.pow(10, digits);
        int subBucketCountMagnitude = (int) Math.ceil(Math.log(largestValueWithSingleUnitResolution) / Math.log(2));
        this.subBucketHalfCountMagnitude = subBucketCountMagnitude - 1;
        int subBucketCount = 1 << subBucketCountMagnitude;
        this.subBucketHalfCount = subBucketCount / 2;
        this.subBucketMask = subBucketCount - 1;
        this.leadingZeroCountBase = 64 - subBucketCountMagnitude;
        this.length = index(highest) + 1;
    }

    /** @return the bucket of {@code value} (0 to {@code highest}), as HdrHistogram's {@code countsArrayIndex} */
    int index(long value) {
        int bucket = leadingZeroCountBase - Long.numberOfLeadingZeros(value | subBucketMask);
        int subBucket = (int) (value >>> bucket);
        return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount);
    }

    /** @return the lowest value of bucket {@code index}, as HdrHistogram's {@code valueFromIndex} */
    long lowestValueAt(int index) {
        int bucket = (index >> subBucketHalfCountMagnitude) - 1;
        int subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount;
        if (bucket < 0) {
            subBucket -= subBucketHalfCount;
            bucket = 0;
        }
        return (long) subBucket << bucket;
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
        AtomicLongArray[] pair = pairs.get(index);
        if (pair == null) {
            pair = create(index);
        }
        pair[side].getAndIncrement(index(Math.min(Math.max(value, 0), highest)));
    }

    /** Records one value on its own: begin, record, end. */
    void recordOne(int index, long value) {
        long token = phaser.writerCriticalSectionEnter();
        record(active, index, value);
        phaser.writerCriticalSectionExit(token);
    }

    private AtomicLongArray[] create(int index) {
        AtomicLongArray[] pair = {new AtomicLongArray(length), new AtomicLongArray(length)};
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
                AtomicLongArray[] pair = pairs.get(i);
                if (pair == null) {
                    continue;
                }
                if (into[i] == null) {
                    into[i] = new Histogram(highest, digits);
                }
                AtomicLongArray counts = pair[drained];
                for (int k = 0; k < length; k++) {
                    long n = counts.get(k);
                    if (n != 0) {
                        into[i].recordValueWithCount(lowestValueAt(k), n);
                        counts.set(k, 0); // no writer is in this set: the phaser flipped
                    }
                }
            }
        } finally {
            phaser.readerUnlock();
        }
    }
}
