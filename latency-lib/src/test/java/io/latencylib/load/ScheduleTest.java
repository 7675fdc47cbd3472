package io.latencylib.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    private static List<Long> offsets(Schedule s) {
        List<Long> out = new ArrayList<>();
        Schedule.Cursor c = s.cursor();
        for (long o; (o = c.next()) >= 0; ) {
            out.add(o);
        }
        return out;
    }

    @Test
    void constantSpacesMessagesEvenly() {
        List<Long> o = offsets(Schedule.constant(1000, Duration.ofSeconds(2)));
        assertThat(o).hasSize(2000);
        assertThat(o.get(0)).isZero();
        assertThat(o.get(1)).isEqualTo(1_000_000);
        assertThat(o.get(1999)).isEqualTo(1_999_000_000L);
    }

    @Test
    void rampSendsTheAverageRateAndSpeedsUp() {
        List<Long> o = offsets(Schedule.ramp(100, 300, Duration.ofSeconds(10)));
        assertThat(o).hasSize(2000);
        assertThat(o).isSorted();
        long firstGap = o.get(1) - o.get(0);
        long lastGap = o.get(1999) - o.get(1998);
        assertThat(firstGap / (double) lastGap).isCloseTo(3.0, within(0.1));
        assertThat(o.get(1999)).isLessThan(10_000_000_000L);
    }

    @Test
    void burstsSendManyAtTheSameInstant() {
        List<Long> o = offsets(Schedule.bursts(50, Duration.ofMillis(100), Duration.ofSeconds(1)));
        assertThat(o).hasSize(500);
        assertThat(o.subList(0, 50)).containsOnly(0L);
        assertThat(o.subList(50, 100)).containsOnly(100_000_000L);
        assertThat(Schedule.bursts(50, Duration.ofMillis(100), Duration.ofSeconds(1)).averageRate()).isEqualTo(500.0);
    }

    @Test
    void poissonAveragesItsRateAndIsReproducible() {
        Schedule p = Schedule.poisson(1000, Duration.ofSeconds(20), 7);
        List<Long> o = offsets(p);
        assertThat(o.size()).isBetween(19_000, 21_000);
        assertThat(o).isSorted().isEqualTo(offsets(Schedule.poisson(1000, Duration.ofSeconds(20), 7)));
    }

    @Test
    void stepsAreASequenceOfPhasesOneAfterTheOther() {
        Schedule s = Schedule.steps(Duration.ofSeconds(1), 10, 20, 30);
        assertThat(s.phases()).hasSize(3);
        assertThat(s.duration()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.averageRate()).isEqualTo(20.0);
        assertThat(s.rateAt(1_500_000_000L)).isEqualTo(20.0);
        List<Long> o = offsets(s);
        assertThat(o).hasSize(60).isSorted();
        assertThat(o.get(10)).isEqualTo(1_000_000_000L);
        assertThat(s.toString()).isEqualTo("constant 10/s for 1 s, then constant 20/s for 1 s, then constant 30/s for 1 s");
        Schedule composed = Schedule.constant(5, Duration.ofSeconds(2)).then(s);
        assertThat(composed.phases()).hasSize(4);
        assertThat(offsets(composed)).hasSize(70);
    }

    @Test
    void badSchedulesAreRejectedWithTheReason() {
        assertThatThrownBy(() -> Schedule.constant(0, Duration.ofSeconds(1))).hasMessageContaining("rate must be a positive");
        assertThatThrownBy(() -> Schedule.constant(10, Duration.ZERO)).hasMessageContaining("duration must be positive");
        assertThatThrownBy(() -> Schedule.bursts(0, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("at least one message");
    }
}
