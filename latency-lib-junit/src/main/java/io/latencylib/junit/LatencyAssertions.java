package io.latencylib.junit;

import io.latencylib.LatencyReport;
import io.latencylib.StageStats;
import io.latencylib.load.LoadReport;
import org.assertj.core.api.Assertions;

/**
 * AssertJ entry point for latency reports. It extends AssertJ's {@link Assertions}, so one static
 * import gives both:
 *
 * <pre>{@code
 * import static io.latencylib.junit.LatencyAssertions.assertThat;
 * import static java.time.Duration.ofMillis;
 *
 * assertThat(report).meets("p99 < 50ms", "lost == 0");
 * assertThat(report).stage(Stage.COMMIT).percentile(99).isLessThan(ofMillis(10));
 * assertThat(report).endToEnd().p99().isLessThan(ofMillis(50));      // corrected when paced
 * assertThat(report).hasNoLoss().hasNoDuplicates().hasReceived(10_000);
 * assertThat(loadReport).meets("p99.9 < 100ms").achievedRate().isGreaterThan(9_900.0);
 * }</pre>
 */
public class LatencyAssertions extends Assertions {

    /** For AssertJ's convention of entry points extending {@link Assertions}; use the static methods. */
    protected LatencyAssertions() {
    }

    /** @return assertions on a latency report */
    public static LatencyReportAssert assertThat(LatencyReport actual) {
        return new LatencyReportAssert(actual);
    }

    /** @return assertions on a paced load run's report */
    public static LoadReportAssert assertThat(LoadReport actual) {
        return new LoadReportAssert(actual);
    }

    /** @return assertions on one distribution of a report (a stage, merged stages, end-to-end) */
    public static StageStatsAssert assertThat(StageStats actual) {
        return new StageStatsAssert(actual);
    }
}
