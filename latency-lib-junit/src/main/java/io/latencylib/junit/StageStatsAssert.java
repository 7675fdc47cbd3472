package io.latencylib.junit;

import io.latencylib.StageStats;
import java.time.Duration;
import java.util.Locale;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractLongAssert;
import org.assertj.core.api.DurationAssert;
import org.assertj.core.api.LongAssert;

/**
 * Assertions on one latency distribution of a report: a stage, a run of merged stages, end-to-end or
 * producer latency. Navigation methods return AssertJ's own {@link DurationAssert}, described with
 * what is measured:
 *
 * <pre>{@code
 * assertThat(report).stage(Stage.COMMIT).percentile(99).isLessThan(ofMillis(10));
 * // on failure: [commit p99 over 5000 messages (12.301 ms)] Expecting actual: 12.301ms to be less than: 10ms
 * }</pre>
 */
public class StageStatsAssert extends AbstractAssert<StageStatsAssert, StageStats> {

    /** @param actual the distribution to check */
    public StageStatsAssert(StageStats actual) {
        super(actual, StageStatsAssert.class);
    }

    /** @param percentile in (0, 100], e.g. {@code 99.9} @return assertions on that percentile */
    public DurationAssert percentile(double percentile) {
        isNotNull();
        return duration("p" + number(percentile), actual.percentile(percentile));
    }

    /** @return assertions on the median */
    public DurationAssert p50() {
        return percentile(50);
    }

    /** @return assertions on the 90th percentile */
    public DurationAssert p90() {
        return percentile(90);
    }

    /** @return assertions on the 99th percentile */
    public DurationAssert p99() {
        return percentile(99);
    }

    /** @return assertions on the 99.9th percentile */
    public DurationAssert p999() {
        return percentile(99.9);
    }

    /** @return assertions on the largest value */
    public DurationAssert max() {
        isNotNull();
        return duration("max", actual.max());
    }

    /** @return assertions on the smallest value */
    public DurationAssert min() {
        isNotNull();
        return duration("min", actual.min());
    }

    /** @return assertions on the mean */
    public DurationAssert mean() {
        isNotNull();
        return duration("mean", actual.mean());
    }

    /** @return assertions on how many messages the distribution holds */
    public AbstractLongAssert<?> count() {
        isNotNull();
        return new LongAssert(actual.count()).as("%s", prefix() + actual.name() + " count");
    }

    /** Verifies that the distribution covers exactly one stage (or end-to-end), not merged stages. */
    public StageStatsAssert isNotMerged() {
        isNotNull();
        if (actual.isMerged()) {
            failWithMessage("Expecting %s not to be merged stages, but it covers %s because a boundary between them"
                    + " was not observed", actual.name(), actual.stages());
        }
        return this;
    }

    private DurationAssert duration(String what, Duration value) {
        String text = String.format(Locale.ROOT, "%s%s %s over %d messages (%.3f ms)", prefix(), actual.name(), what,
                actual.count(), value.toNanos() / 1e6);
        return new DurationAssert(value).as("%s", text);
    }

    private String prefix() {
        String d = descriptionText();
        return d == null || d.isEmpty() ? "" : d + ": ";
    }

    static String number(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
