package io.latencylib.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.assertj.core.api.Assertions.offset;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The search's logic over an in-memory system whose verdicts a script decides: a probe at a rate up to
 * {@link #CAPACITY} is delivered in full, above it the consumers receive nothing (the probe fails,
 * not drained), except where the script plays a noisy probe. Short probes, so the whole class takes
 * seconds; the real broker's search is measured by latency-lib-bench's MaxRateRepeat.
 */
class MaxThroughputSearchTest {

    static final double CAPACITY = 800;

    /** Decides from a probe's destination ({@code prefix-index-rate}); the first probe of each rate is noisy. */
    static final class Script {
        final Map<Long, Integer> probesAtRate = new ConcurrentHashMap<>();
        final boolean noiseBelow;
        final boolean noiseAbove;

        Script(boolean noiseBelow, boolean noiseAbove) {
            this.noiseBelow = noiseBelow;
            this.noiseAbove = noiseAbove;
        }

        boolean delivers(String destination) {
            long rate = Long.parseLong(destination.substring(destination.lastIndexOf('-') + 1));
            boolean first = probesAtRate.merge(rate, 1, Integer::sum) == 1;
            boolean sustainable = rate <= CAPACITY;
            if (first && (sustainable ? noiseBelow : noiseAbove)) {
                return !sustainable;   // a lucky pass above the capacity, an unlucky failure below it
            }
            return sustainable;
        }
    }

    static long rateOf(String destination) {
        return Long.parseLong(destination.substring(destination.lastIndexOf('-') + 1));
    }

    static MaxThroughputSearch.Builder search(LoadDriver driver) {
        return MaxThroughputSearch.builder(driver)
                .startRate(100)
                .maxRate(6_400)
                .probeDuration(Duration.ofMillis(100), Duration.ZERO)
                .longProbeDuration(Duration.ofMillis(400))
                .drainTimeout(Duration.ofMillis(100))
                .rateTolerance(0.5);   // the script decides; the pacing of 100 ms probes must not
    }

    static MaxThroughputSearch.Builder search(Script script) {
        return search(InMemoryDriver.deliverWhen(script::delivers));
    }

    /** The answer is a rate that passed its confirmation probes, all of them, and at most the capacity. */
    static void assertHonest(MaxThroughputSearch.Result result, int confirmations) {
        assertThat(result.evidence()).as(result.toTable()).hasSize(confirmations).allMatch(MaxThroughputSearch.Probe::passed);
        assertThat(result.maxRate()).as(result.toTable()).isBetween(CAPACITY / 1.05, CAPACITY);
    }

    @Test
    void aLuckyPassAboveTheCapacityIsOutvotedAndNotConfirmed() {
        MaxThroughputSearch.Result result = search(new Script(false, true)).run();
        assertHonest(result, 3);
        assertThat(result.probes()).anyMatch(p -> p.passed() && p.targetRate() > CAPACITY);   // it happened
        // in the long phase too: a rate above the capacity passed its first long probe and was stepped down from
        assertThat(result.probes()).anyMatch(p -> p.phase() != MaxThroughputSearch.Probe.Phase.COARSE
                && p.passed() && p.targetRate() > CAPACITY);
        assertThat(result.probes()).anyMatch(p -> p.phase() == MaxThroughputSearch.Probe.Phase.CONFIRM
                && !p.passed() && p.targetRate() > CAPACITY);
        // one confirmation probe lets a lucky first pass above the capacity be the answer
        MaxThroughputSearch.Result once = search(new Script(false, true)).confirmations(1).run();
        assertThat(once.maxRate()).as(once.toTable()).isGreaterThan(CAPACITY);
    }

    @Test
    void anUnluckyFailureBelowTheCapacityDoesNotCollapseTheAnswer() {
        MaxThroughputSearch.Result result = search(new Script(true, false)).run();
        assertHonest(result, 3);
        assertThat(result.probes()).anyMatch(p -> !p.passed() && p.targetRate() <= CAPACITY);
        assertThat(result.probes()).filteredOn(p -> !p.passed())
                .allMatch(p -> p.reason().contains("backlog grew") || p.reason().contains("did not drain"));
        MaxThroughputSearch.Result alone = search(new Script(true, false)).probesPerRate(1).run();
        assertThat(alone.maxRate()).as(alone.toTable()).isZero();   // every first probe failed: collapse
        assertThat(alone.evidence()).isEmpty();
    }

    @Test
    void aStartUpStallNearTheLimitIsJudgedOnTheSteadyPartNotByAnEarlyStop() {
        // above 600 msg/s every probe's sender stalls 100 ms at its 20th message, then catches up; up to
        // 800 msg/s everything is delivered
        InMemoryDriver driver = InMemoryDriver.deliverWhen(d -> rateOf(d) <= CAPACITY)
                .stallAt(20, Duration.ofMillis(100)).stallWhen(d -> rateOf(d) >= 600);
        MaxThroughputSearch.Result result = search(driver)
                .stopWhenBehind(Duration.ofMillis(50), Duration.ofMillis(130)).run();
        assertHonest(result, 3);
        // short probes at rates below the answer stopped early, and that did not decide
        assertThat(result.probes()).anyMatch(p -> p.phase() == MaxThroughputSearch.Probe.Phase.COARSE
                && p.targetRate() < result.maxRate() && p.targetRate() >= 600
                && p.reason() != null && p.reason().contains("stopped early"));
        // the same search with long probes stopped as early as the short ones answers below the stalls
        MaxThroughputSearch.Result early = search(InMemoryDriver.deliverWhen(d -> rateOf(d) <= CAPACITY)
                .stallAt(20, Duration.ofMillis(100)).stallWhen(d -> rateOf(d) >= 600))
                .stopWhenBehind(Duration.ofMillis(50), Duration.ofMillis(50)).run();
        assertThat(early.maxRate()).as(early.toTable()).isLessThan(600);
    }

    @Test
    void theSteadyPartJudgesTheHeldRateAndTheBacklogSlope() {
        long s = 1_000_000_000L;
        // 1,000 msg/s, a 2 s stall at the start, caught up by 4 s: held over [4 s, 9 s]
        List<LoadReport.BacklogSample> caughtUp = new ArrayList<>();
        for (int t = 0; t <= 9; t++) {
            long sent = t < 2 ? 0 : t < 4 ? (t - 2) * 2_000L : t * 1_000L;
            caughtUp.add(new LoadReport.BacklogSample(Duration.ofSeconds(t), sent, sent));
        }
        assertThat(MaxThroughputSearch.steadyRate(caughtUp, 4 * s, 9 * s)).isCloseTo(1_000, offset(1.0));
        assertThat(MaxThroughputSearch.steadyGrowth(caughtUp, 4 * s, 9 * s)).isCloseTo(0, offset(1.0));
        // a lag that grows (sending at 950 msg/s) and a backlog that grows 100 msg/s, one spike aside
        List<LoadReport.BacklogSample> behind = new ArrayList<>();
        for (int t = 0; t <= 9; t++) {
            long sent = t * 950L;
            behind.add(new LoadReport.BacklogSample(Duration.ofSeconds(t), sent, sent - 100L * t - (t == 6 ? 5_000 : 0)));
        }
        assertThat(MaxThroughputSearch.steadyRate(behind, 3 * s, 9 * s)).isCloseTo(950, offset(1.0));
        assertThat(MaxThroughputSearch.steadyGrowth(behind, 3 * s, 9 * s)).isCloseTo(100, offset(1.0));
        // too few samples inside the window: not held
        assertThat(MaxThroughputSearch.steadyRate(behind.subList(0, 4), 3 * s, 9 * s)).isZero();
    }

    @Test
    void aProbeThatFallsBehindStopsEarlyAndSaysWhy() {
        long t0 = System.nanoTime();
        LoadReport report = LoadRun.builder(new InMemoryDriver().stallAt(100, Duration.ofMillis(1_500)))
                .schedule(Schedule.constant(1_000, Duration.ofSeconds(5)))
                .abortWhenBehind(Duration.ofMillis(300))
                .progressListener(p -> { })
                .run();
        assertThat(report.aborted()).hasValueSatisfying(r -> assertThat(r).contains("senders fell behind"));
        assertThat(report.sent()).isLessThan(1_000);
        assertThat(report.toTable()).contains("ABORTED: senders fell behind the schedule by more than 300 ms");
        assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(4).toNanos());

        LoadReport undelivered = LoadRun.builder(InMemoryDriver.deliverWhen(d -> false))
                .schedule(Schedule.constant(1_000, Duration.ofSeconds(5)))
                .abortWhenBehind(Duration.ofMillis(300))
                .progressEvery(Duration.ofMillis(100))
                .progressListener(p -> { })
                .drainTimeout(Duration.ofMillis(100))
                .run();
        assertThat(undelivered.aborted()).hasValueSatisfying(r -> assertThat(r).contains("consumers fell behind"));
        assertThat(undelivered.sent()).isLessThan(2_500);
    }

    @Test
    void aStallThatIsCaughtUpLowersTheOverallRateButNotTheHeldRate() {
        LoadReport report = LoadRun.builder(new InMemoryDriver().stallAt(2_850, Duration.ofMillis(400)))
                .schedule(Schedule.constant(1_000, Duration.ofSeconds(3)))
                .progressEvery(Duration.ofMillis(200))
                .progressListener(p -> { })
                .run();
        assertThat(report.sent()).isEqualTo(3_000);
        assertThat(report.achievedRate()).as(report.toTable()).isLessThan(950);   // ~3,000 / 3.25 s
        assertThat(report.medianSendRate()).as(report.toTable())
                .isCloseTo(1_000, org.assertj.core.data.Percentage.withPercentage(3));
        assertThat(report.backlogGrowthPerSecond()).isCloseTo(0, org.assertj.core.data.Offset.offset(20.0));

        LoadReport undelivered = LoadRun.builder(InMemoryDriver.deliverWhen(d -> false))
                .schedule(Schedule.constant(500, Duration.ofSeconds(2)))
                .progressEvery(Duration.ofMillis(100))
                .progressListener(p -> { })
                .drainTimeout(Duration.ofMillis(100))
                .run();
        assertThat(undelivered.drained()).isFalse();
        assertThat(undelivered.backlogGrowthPerSecond()).isCloseTo(500, org.assertj.core.data.Percentage.withPercentage(10));
    }

    @Test
    void rejectsAnEvenNumberOfProbesPerRate() {
        assertThatThrownBy(() -> MaxThroughputSearch.builder(new InMemoryDriver()).probesPerRate(2))
                .hasMessageContaining("odd");
        assertThatThrownBy(() -> MaxThroughputSearch.builder(new InMemoryDriver()).confirmations(0))
                .hasMessageContaining("positive");
    }
}
