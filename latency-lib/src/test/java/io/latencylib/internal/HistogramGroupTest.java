package io.latencylib.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The group keeps only bucket counts; what it drains must be what HdrHistogram gives for the values
 * themselves (the engine's range and precision), bucket by bucket, and its minimum, maximum and total.
 */
class HistogramGroupTest {

    static final long HIGHEST = JoinEngine.HIGHEST_MICROS;
    static final int DIGITS = JoinEngine.SIGNIFICANT_DIGITS;

    /** Values at every bucket edge up to the highest, and random ones at every magnitude. */
    static List<Long> values() {
        List<Long> values = new ArrayList<>();
        for (long v = 0; v <= 5000; v++) {
            values.add(v);
        }
        for (int shift = 1; shift < 63; shift++) {
            long p = 1L << shift;
            for (long v : new long[] {p - 1, p, p + 1}) {
                if (v <= HIGHEST) {
                    values.add(v);
                }
            }
        }
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 20_000; i++) {
            values.add(random.nextLong(1L << random.nextInt(1, 32)) % (HIGHEST + 1));
        }
        values.add(HIGHEST - 1);
        values.add(HIGHEST);
        return values;
    }

    @Test
    void bucketsAreHdrHistogramBuckets() {
        HistogramGroup group = new HistogramGroup(1, HIGHEST, DIGITS);
        Histogram reference = new Histogram(HIGHEST, DIGITS);
        for (long v : values()) {
            assertThat(group.lowestValueAt(group.index(v))).as("bucket of %d", v)
                    .isEqualTo(reference.lowestEquivalentValue(v));
        }
    }

    @Test
    void drainedHistogramEqualsTheValuesRecordedDirectly() {
        HistogramGroup group = new HistogramGroup(3, HIGHEST, DIGITS);
        Histogram expected = new Histogram(HIGHEST, DIGITS);
        Histogram expectedSaturated = new Histogram(HIGHEST, DIGITS);
        List<Long> values = values();
        long token = group.begin();
        int side = group.side();
        for (long v : values) {
            group.record(side, 1, v);
            expected.recordValue(v);
        }
        group.record(side, 2, -5);             // saturated to 0
        group.record(side, 2, HIGHEST * 10);   // saturated to the highest
        expectedSaturated.recordValue(0);
        expectedSaturated.recordValue(HIGHEST);
        group.end(token);

        Histogram[] drained = new Histogram[3];
        group.drainInto(drained);
        assertThat(drained[0]).isNull();
        assertThat(drained[1]).isEqualTo(expected);
        assertThat(drained[1].getTotalCount()).isEqualTo(values.size());
        assertThat(drained[1].getMaxValue()).isEqualTo(expected.getMaxValue());
        assertThat(drained[1].getMinNonZeroValue()).isEqualTo(expected.getMinNonZeroValue());
        assertThat(drained[1].getValueAtPercentile(99)).isEqualTo(expected.getValueAtPercentile(99));
        assertThat(drained[1].getMean()).isEqualTo(expected.getMean());
        assertThat(drained[2]).isEqualTo(expectedSaturated);

        // drained means forgotten: the cumulative histogram gains only what came after
        group.recordOne(1, 42);
        group.drainInto(drained);
        expected.recordValue(42);
        assertThat(drained[1]).isEqualTo(expected);
        group.drainInto(drained);
        assertThat(drained[1]).isEqualTo(expected);
        assertThat(drained[2]).isEqualTo(expectedSaturated);
    }
}
