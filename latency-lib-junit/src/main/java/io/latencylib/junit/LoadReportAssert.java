package io.latencylib.junit;

import io.latencylib.load.LoadReport;
import io.latencylib.slo.Slo;
import java.util.Locale;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractDoubleAssert;
import org.assertj.core.api.DoubleAssert;

/**
 * Assertions on what a paced {@link io.latencylib.load.LoadRun} measured.
 *
 * <pre>{@code
 * assertThat(loadReport).meets("p99 < 50ms").isDrained();
 * assertThat(loadReport).achievedRate().isCloseTo(2_000.0, withinPercentage(1));
 * assertThat(loadReport).report().stage(Stage.COMMIT).p99().isLessThan(ofMillis(10));
 * }</pre>
 */
public class LoadReportAssert extends AbstractAssert<LoadReportAssert, LoadReport> {

    /** @param actual the load run's report */
    public LoadReportAssert(LoadReport actual) {
        super(actual, LoadReportAssert.class);
    }

    /**
     * Verifies that every objective holds on the measured part of the run (warm-up excluded); latency
     * objectives are on end-to-end latency from the intended send instant.
     */
    public LoadReportAssert meets(String... objectives) {
        isNotNull();
        report().meets(objectives);
        return this;
    }

    /** Like {@link #meets(String...)}, with objectives built fluently. */
    public LoadReportAssert meets(Slo... objectives) {
        isNotNull();
        report().meets(objectives);
        return this;
    }

    /** @return assertions on the achieved send rate, messages per second */
    public AbstractDoubleAssert<?> achievedRate() {
        isNotNull();
        return new DoubleAssert(actual.achievedRate()).as("%s", String.format(Locale.ROOT,
                "%sachieved rate in msg/s (target %.1f msg/s, %d sent)", prefix(), actual.targetRate(), actual.sent()));
    }

    /** @return assertions on how fast the backlog grew over the second half of the run, messages per second */
    public AbstractDoubleAssert<?> backlogGrowthPerSecond() {
        isNotNull();
        return new DoubleAssert(actual.backlogGrowthPerSecond()).as("%s", prefix() + "backlog growth in msg/s");
    }

    /** Verifies that the consumers received every message sent before the run ended. */
    public LoadReportAssert isDrained() {
        isNotNull();
        if (!actual.drained()) {
            failWithMessage("Expecting the run to be drained, but the consumers had received %d of %d messages when it"
                    + " ended", actual.report().counts().received(), actual.report().counts().sent());
        }
        return this;
    }

    /** @return assertions on the latency report of the measured part of the run */
    public LatencyReportAssert report() {
        isNotNull();
        LatencyReportAssert a = new LatencyReportAssert(actual.report());
        String d = descriptionText();
        return d == null || d.isEmpty() ? a : a.as("%s", d);
    }

    /** @return assertions on end-to-end latency from the intended send instant (coordinated-omission corrected) */
    public StageStatsAssert endToEnd() {
        return report().endToEnd();
    }

    private String prefix() {
        String d = descriptionText();
        return d == null || d.isEmpty() ? "" : d + ": ";
    }
}
