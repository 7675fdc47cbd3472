package io.latencylib.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A load run's own recorder holds 2 s of the schedule's highest rate in flight per producer. */
class JoinCapacityTest {

    @Test
    void slotsFollowTheHighestRateOfTheSchedulePerProducerWithinBounds() {
        assertThat(LoadRun.joinCapacityFor(Schedule.constant(1_000, Duration.ofSeconds(10)), 1)).isEqualTo(32768);
        assertThat(LoadRun.joinCapacityFor(Schedule.constant(100_000, Duration.ofSeconds(10)), 1)).isEqualTo(262144);
        assertThat(LoadRun.joinCapacityFor(Schedule.constant(200_000, Duration.ofSeconds(10)), 2)).isEqualTo(262144);
        assertThat(LoadRun.joinCapacityFor(Schedule.ramp(1_000, 200_000, Duration.ofSeconds(10)), 1)).isEqualTo(524288);
        assertThat(LoadRun.joinCapacityFor(Schedule.constant(10_000_000, Duration.ofSeconds(1)), 1))
                .isEqualTo(LoadRun.MAX_OWN_JOIN_CAPACITY);
    }
}
