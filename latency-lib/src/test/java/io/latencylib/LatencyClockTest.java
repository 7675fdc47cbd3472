package io.latencylib;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LatencyClockTest {

    private static long instantMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /**
     * The system clock follows {@code Instant.now()}: every reading lies between a wall-clock reading taken
     * just before and one just after it, within the anchor's pairing error, across several renewals of the
     * anchor (the loop runs for four renewal periods).
     */
    @Test
    void theSystemClockAgreesWithInstantNowAcrossAnchorRenewals() {
        LatencyClock clock = LatencyClock.system();
        long end = System.nanoTime() + 4 * SystemClock.REANCHOR_NANOS;
        long readings = 0, worstEarly = 0, worstLate = 0, previous = clock.nowMicros(), backwards = 0;
        while (System.nanoTime() < end) {
            long before = instantMicros();
            long micros = clock.nowMicros();
            long after = instantMicros();
            worstEarly = Math.max(worstEarly, before - micros);
            worstLate = Math.max(worstLate, micros - after);
            backwards = Math.max(backwards, previous - micros);
            previous = micros;
            readings++;
        }
        System.out.printf("clock vs Instant.now: %d readings, worst early %d µs, late %d µs, back %d µs%n", readings, worstEarly, worstLate, backwards);
        assertThat(readings).isGreaterThan(1000);
        // truncation to microseconds on both sides, and the ~tens of ns between the two reads of an anchor
        assertThat(worstEarly).as("µs the clock read before the wall clock").isLessThanOrEqualTo(25);
        assertThat(worstLate).as("µs the clock read after the wall clock").isLessThanOrEqualTo(25);
        assertThat(backwards).as("µs the clock stepped back at a renewal").isLessThanOrEqualTo(25);
    }
}
