package io.latencylib;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * Distribution of one stage, a run of merged stages, or end-to-end latency in a {@link LatencyReport}.
 * Immutable; percentiles come from the recorded HdrHistogram (3 significant digits, microseconds). Equal
 * to another of the same name and stages whose histogram has the same contents.
 */
public final class StageStats {

    private final String name;
    private final List<Stage> stages;
    private final Histogram histogram;

    StageStats(String name, List<Stage> stages, Histogram histogram) {
        this.name = name;
        this.stages = List.copyOf(stages);
        this.histogram = histogram;
    }

    static StageStats of(List<Stage> stages, Histogram histogram) {
        return new StageStats(stages.stream().map(Stage::label).collect(Collectors.joining("+")), stages, histogram);
    }

    /** @return e.g. {@code commit}, {@code publish+commit} or {@code end-to-end} */
    public String name() {
        return name;
    }

    /** @return the stages this distribution covers, in order; empty for end-to-end and producer figures */
    public List<Stage> stages() {
        return stages;
    }

    /** @return true when this covers more than one stage because a boundary between them was not observed */
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

    /** @param percentile in (0, 100], e.g. 99.9 */
    public Duration percentile(double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + percentile);
        }
        return micros(histogram.getValueAtPercentile(percentile));
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

    /** @return a copy of the underlying histogram (values in microseconds) */
    public Histogram histogram() {
        return histogram.copy();
    }

    private static Duration micros(long micros) {
        return Duration.ofNanos(micros * 1000);
    }

    /** @return true when {@code o} has the same name, stages and histogram contents */
    @Override
    public boolean equals(Object o) {
        return o instanceof StageStats s && name.equals(s.name) && stages.equals(s.stages) && histogram.equals(s.histogram);
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
