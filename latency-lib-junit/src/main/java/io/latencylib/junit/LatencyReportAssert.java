package io.latencylib.junit;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import io.latencylib.slo.Slo;
import io.latencylib.slo.SloCheck;
import io.latencylib.slo.Verdict;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a {@link LatencyReport}, in AssertJ's conventions: checks return this, navigation
 * returns the assertions of what it navigates to.
 *
 * <pre>{@code
 * assertThat(report).meets("p99 < 50ms", "commit.p99 < 10ms")
 *                   .hasNoLoss().hasNoDuplicates().hasReceived(5_000);
 * assertThat(report).stage(Stage.FETCH).p99().isLessThan(ofMillis(20));
 * assertThat(report).endToEnd().percentile(99.9).isLessThan(ofMillis(100));
 * }</pre>
 */
public class LatencyReportAssert extends AbstractAssert<LatencyReportAssert, LatencyReport> {

    /** @param actual the report to check */
    public LatencyReportAssert(LatencyReport actual) {
        super(actual, LatencyReportAssert.class);
    }

    /**
     * Navigates to one stage. Fails when the stage was only observed merged with a neighbour (the
     * message names the merged entries and the report's notes say why) or not at all.
     *
     * @return assertions on the distribution of exactly {@code stage}
     */
    public StageStatsAssert stage(Stage stage) {
        isNotNull();
        Objects.requireNonNull(stage, "stage");
        Optional<StageStats> stats = actual.stage(stage);
        if (stats.isEmpty()) {
            List<String> mergedWithIt = actual.stages().stream().filter(s -> s.stages().contains(stage))
                    .map(StageStats::name).toList();
            String notes = actual.notes().isEmpty() ? "" : "%nnotes:%n  " + String.join("%n  ",
                    actual.notes().stream().map(n -> n.replace("%", "%%")).toList());
            if (!mergedWithIt.isEmpty()) {
                failWithMessage("Expecting the report to have stage <%s> on its own, but it was only observed merged: %s"
                        + " (a boundary was not observed, e.g. a CreateTime topic merges publish+commit, acks=1 merges"
                        + " commit+catch-up+fetch)" + notes, stage.label(), mergedWithIt);
            }
            failWithMessage("Expecting the report to have stage <%s>, but it was not observed at all (stages in the"
                    + " report: %s, %d messages end-to-end)" + notes, stage.label(),
                    actual.stages().stream().map(StageStats::name).toList(), actual.endToEnd().count());
        }
        return navigate(stats.get());
    }

    /**
     * @return assertions on end-to-end latency: measured from the intended send instant when the traffic
     *     was paced (coordinated-omission corrected, as SLOs use it), from the send instant otherwise
     */
    public StageStatsAssert endToEnd() {
        isNotNull();
        return navigate(actual.endToEndFromIntended().orElse(actual.endToEnd()));
    }

    /** @return assertions on end-to-end latency from the actual send instant (not corrected for a stalled sender) */
    public StageStatsAssert endToEndFromActualSend() {
        isNotNull();
        return navigate(actual.endToEnd());
    }

    /** @return assertions on producer latency (send to acknowledgement); fails when none was measured */
    public StageStatsAssert producerLatency() {
        isNotNull();
        if (actual.producerLatency().isEmpty()) {
            failWithMessage("Expecting the report to have producer latency (send to acknowledgement), but no"
                    + " acknowledgement of a wrapped producer of this process was measured");
        }
        return navigate(actual.producerLatency().get());
    }

    /**
     * Verifies that every objective holds, e.g. {@code meets("p99 < 50ms", "lost == 0")}; the failure
     * message is the violations' message, saying where the time went. Objectives "in every window"
     * need the run's windows: check them with {@link SloCheck#start} or {@link LatencySLO}.
     *
     * @throws io.latencylib.slo.SloSyntaxException when an objective cannot be parsed
     */
    public LatencyReportAssert meets(String... objectives) {
        return meets(Slo.parseAll(objectives).toArray(new Slo[0]));
    }

    /** Verifies that every objective holds on the report; the failure message is the violations' message. */
    public LatencyReportAssert meets(Slo... objectives) {
        isNotNull();
        if (objectives.length == 0) {
            throw new IllegalArgumentException("give at least one objective, e.g. meets(\"p99 < 50ms\")");
        }
        List<Verdict> verdicts = SloCheck.evaluate(Arrays.asList(objectives), actual);
        String failure = SloCheck.failureMessage(verdicts);
        if (failure != null) {
            failWithMessage("%s", failure);
        }
        return this;
    }

    /** Verifies that no acknowledged message was lost (never received by a wrapped consumer within the eviction time). */
    public LatencyReportAssert hasNoLoss() {
        isNotNull();
        if (actual.counts().lost() != 0) {
            failWithMessage("Expecting no lost message, but %d were lost (%s)", actual.counts().lost(), counts());
        }
        return this;
    }

    /** Verifies that no message was received twice. */
    public LatencyReportAssert hasNoDuplicates() {
        isNotNull();
        if (actual.counts().duplicated() != 0) {
            failWithMessage("Expecting no duplicated message, but %d were received again (%s)",
                    actual.counts().duplicated(), counts());
        }
        return this;
    }

    /** Verifies that no send failed. */
    public LatencyReportAssert hasNoSendErrors() {
        isNotNull();
        if (actual.counts().sendErrors() != 0) {
            failWithMessage("Expecting no send error, but %d sends failed (%s)", actual.counts().sendErrors(), counts());
        }
        return this;
    }

    /** Verifies how many stamped messages wrapped consumers received. */
    public LatencyReportAssert hasReceived(long expected) {
        isNotNull();
        if (actual.counts().received() != expected) {
            failWithMessage("Expecting %d messages received, but %d were (%s)", expected, actual.counts().received(),
                    counts());
        }
        return this;
    }

    /** Verifies that every stage was observed on its own (nothing reported merged). */
    public LatencyReportAssert hasNoMergedStages() {
        isNotNull();
        if (!actual.mergedStages().isEmpty()) {
            failWithMessage("Expecting every stage observed on its own, but these were merged: %s; notes: %s",
                    actual.mergedStages(), actual.notes());
        }
        return this;
    }

    private String counts() {
        LatencyReport.Counts c = actual.counts();
        return "sent " + c.sent() + ", acked " + c.acked() + ", received " + c.received() + ", lost " + c.lost()
                + ", duplicated " + c.duplicated() + ", send errors " + c.sendErrors() + ", in flight " + c.inFlight();
    }

    private StageStatsAssert navigate(StageStats stats) {
        StageStatsAssert a = new StageStatsAssert(stats);
        String d = descriptionText();
        return d == null || d.isEmpty() ? a : a.as("%s", d);
    }
}
