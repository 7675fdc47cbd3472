package io.latencylib.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The search's logic over an in-memory system whose verdicts a script decides: a probe at a rate up to
 * {@link #CAPACITY} is delivered in full, above it the consumers receive nothing (the probe fails,
 * not drained), except where the script plays a noisy probe. Short probes, so the whole class takes
 * a few seconds; the real broker's search is measured by the MaxThroughput benchmark.
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

    static MaxThroughputSearch.Builder search(Script script) {
        return MaxThroughputSearch.builder(InMemoryDriver.deliverWhen(script::delivers))
                .startRate(100)
                .maxRate(6_400)
                .probeDuration(Duration.ofMillis(100), Duration.ZERO)
                .drainTimeout(Duration.ofMillis(100))
                .rateTolerance(0.5);   // the script decides; the pacing of 100 ms probes must not
    }

    @Test
    void aLuckyPassAboveTheCapacityIsOutvoted() {
        MaxThroughputSearch.Result result = search(new Script(false, true)).run();
        assertThat(result.maxRate()).as(result.toTable()).isBetween(CAPACITY / 1.05, CAPACITY);
        assertThat(result.probes()).anyMatch(p -> p.passed() && p.targetRate() > CAPACITY);   // it happened
        // the same search letting each probe decide alone climbs on lucky passes to the top
        MaxThroughputSearch.Result alone = search(new Script(false, true)).probesPerRate(1).run();
        assertThat(alone.maxRate()).as(alone.toTable()).isEqualTo(6_400);
    }

    @Test
    void anUnluckyFailureBelowTheCapacityDoesNotCollapseTheAnswer() {
        MaxThroughputSearch.Result result = search(new Script(true, false)).run();
        assertThat(result.maxRate()).as(result.toTable()).isBetween(CAPACITY / 1.05, CAPACITY);
        assertThat(result.probes()).anyMatch(p -> !p.passed() && p.targetRate() <= CAPACITY);
        assertThat(result.probes()).filteredOn(p -> !p.passed())
                .allMatch(p -> p.reason().contains("did not drain"));
        MaxThroughputSearch.Result alone = search(new Script(true, false)).probesPerRate(1).run();
        assertThat(alone.maxRate()).as(alone.toTable()).isZero();   // every first probe failed: collapse
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
    }
}
