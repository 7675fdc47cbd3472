package io.latencylib.report;

import io.latencylib.Stage;
import io.latencylib.StageStats;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * One latency distribution of a report — a stage, a run of merged stages, end-to-end, producer
 * latency or lateness — with its full HdrHistogram (values in microseconds), so any percentile can be
 * read from it, also after a round trip through JSON. Immutable; equal when name, stages and
 * histogram contents are equal.
 */
public final class Distribution {

    private final String name;
    private final List<Stage> stages;
    private final Histogram histogram;

    /**
     * @param name      e.g. {@code commit}, {@code publish+commit} or {@code end-to-end}
     * @param stages    the stages covered, in order; empty for end-to-end, producer latency and lateness
     * @param histogram values in microseconds; copied
     */
    public Distribution(String name, List<Stage> stages, Histogram histogram) {
        this.name = Objects.requireNonNull(name, "name");
        this.stages = List.copyOf(stages);
        this.histogram = histogram.copy();
    }

    /** @return the distribution of {@code stats}, with a copy of its histogram */
    public static Distribution of(StageStats stats) {
        return new Distribution(stats.name(), stats.stages(), stats.histogram());
    }

    /** @return e.g. {@code commit}, {@code publish+commit} or {@code end-to-end} */
    public String name() {
        return name;
    }

    /** @return the stages covered, in order; empty for end-to-end, producer latency and lateness */
    public List<Stage> stages() {
        return stages;
    }

    /** @return true when this covers more than one stage */
    public boolean isMerged() {
        return stages.size() > 1;
    }

    public long count() {
        return histogram.getTotalCount();
    }

    public Duration min() {
        return micros(count() == 0 ? 0 : histogram.getMinValue());
    }

    public Duration max() {
        return micros(histogram.getMaxValue());
    }

    public Duration mean() {
        return Duration.ofNanos(Math.round(histogram.getMean() * 1000));
    }

    /** @return the mean in microseconds, unrounded */
    public double meanMicros() {
        return histogram.getMean();
    }

    /** @param percentile in [0, 100], e.g. 99.9; 0 gives the minimum, 100 the maximum */
    public Duration percentile(double percentile) {
        return micros(percentileMicros(percentile));
    }

    /** @param percentile in [0, 100], e.g. 99.9; 0 gives the minimum */
    public long percentileMicros(double percentile) {
        if (!(percentile >= 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in [0, 100]: " + percentile);
        }
        return histogram.getValueAtPercentile(percentile);
    }

    public Duration p50() {
        return percentile(50);
    }

    public Duration p90() {
        return percentile(90);
    }

    public Duration p99() {
        return percentile(99);
    }

    public Duration p999() {
        return percentile(99.9);
    }

    public Duration p9999() {
        return percentile(99.99);
    }

    /** @return a copy of the histogram (values in microseconds) */
    public Histogram histogram() {
        return histogram.copy();
    }

    /** @return the histogram in HdrHistogram's compressed encoding, Base64 (as in the JSON file) */
    public String encodedHistogram() {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    /** @return the histogram {@link #encodedHistogram()} wrote */
    static Histogram decodeHistogram(String base64) throws DataFormatException {
        byte[] bytes = Base64.getDecoder().decode(base64);
        return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
    }

    private static Duration micros(long micros) {
        return Duration.ofNanos(micros * 1000);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Distribution d && name.equals(d.name) && stages.equals(d.stages)
                && histogram.equals(d.histogram);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, stages, histogram.getTotalCount(), histogram.getMaxValue());
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: count=%d p50=%s p99=%s max=%s", name, count(), p50(), p99(), max());
    }
}
