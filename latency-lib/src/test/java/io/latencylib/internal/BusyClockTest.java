package io.latencylib.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link BusyClock} against a brute-force time line: random calls (some of zero length, some long idle
 * spans), then the busy time between random instants compared with the truth — exact from the exact ring,
 * exact or within 1 ms from the coarse ring, never below the truth from beyond both.
 */
class BusyClockTest {

    static final long T = 1_765_000_000_000_000L;

    /** The truth: every change (instant, busy after it), the first one the creation (busy). */
    static final class TimeLine {
        final long[] at;
        final boolean[] busyAfter;
        int n;

        TimeLine(int capacity) {
            at = new long[capacity];
            busyAfter = new boolean[capacity];
        }

        void add(long t, boolean busy) {
            if (n > 0 && busyAfter[n - 1] == busy) {
                return;
            }
            at[n] = t;
            busyAfter[n] = busy;
            n++;
        }

        /** busy time in [from, to], from after creation */
        long busyBetween(long from, long to) {
            long busy = 0;
            for (int i = 0; i < n; i++) {
                long s = Math.max(at[i], from);
                long e = Math.min(i + 1 < n ? at[i + 1] : Long.MAX_VALUE, to);
                if (busyAfter[i] && e > s) {
                    busy += e - s;
                }
            }
            return busy;
        }
    }

    @Test
    void randomTimeLinesAgreeWithTheBruteForceTruth() {
        SplittableRandom random = new SplittableRandom(42);
        long exact = 0, withinAMillisecond = 0, beyond = 0;
        for (int run = 0; run < 20; run++) {
            BusyClock clock = new BusyClock(T);
            TimeLine truth = new TimeLine(40_000);
            truth.add(T, true);
            long now = T;
            boolean busy = true;
            int changes = 6_000 + random.nextInt(10_000);
            for (int c = 0; c < changes; c++) {
                int kind = random.nextInt(100);
                // mostly short calls (microseconds), some of zero length (a change back at the same instant),
                // some long idle or busy spans (tens of milliseconds)
                now += kind < 5 ? 0 : kind < 85 ? random.nextInt(1, 400) : kind < 97 ? random.nextInt(400, 5_000)
                        : random.nextInt(5_000, 60_000);
                busy = !busy;
                if (busy) {
                    clock.busy(now);
                } else {
                    clock.free(now);
                }
                truth.add(now, busy);
                // the clock drops a change back at the same instant: so does the truth
                if (truth.n >= 2 && truth.at[truth.n - 1] == truth.at[truth.n - 2] && truth.n > 2) {
                    truth.n -= 2;
                }
            }
            long end = now + random.nextInt(1, 1_000);
            long exactFrom = exactRingStart(truth);
            long coarseFrom = now - 4_000_000; // the coarse ring reaches back at least 4 s
            for (int q = 0; q < 2_000; q++) {
                long from = T + (long) (random.nextDouble() * (end - T));
                long to = from + (long) (random.nextDouble() * (end - from));
                long expected = truth.busyBetween(from, to);
                long measured = clock.busyBetween(from, to);
                long tolerance = to >= exactFrom ? 1_000 : 2_000; // 1 ms at each end answered from the coarse ring
                if (from >= exactFrom) {
                    assertThat(measured).as("from the exact ring, run %d [%d, %d]", run, from - T, to - T).isEqualTo(expected);
                    assertThat(clock.approximated()).isFalse();
                    exact++;
                } else if (from >= coarseFrom) {
                    assertThat(measured).as("from the coarse ring, run %d [%d, %d]", run, from - T, to - T)
                            .isBetween(expected - tolerance, expected + tolerance);
                    assertThat(clock.approximated()).isFalse();
                    withinAMillisecond++;
                } else if (clock.approximated()) {
                    assertThat(measured).as("beyond both rings: the missing span busy, run %d", run)
                            .isGreaterThanOrEqualTo(expected).isLessThanOrEqualTo(to - from);
                    beyond++;
                } else {
                    // older than 4 s yet still inside the coarse ring (it reaches further when calls are sparse)
                    assertThat(measured).isBetween(expected - tolerance, expected + tolerance);
                }
            }
        }
        assertThat(exact).isPositive();
        assertThat(withinAMillisecond).isPositive();
        assertThat(beyond).isPositive();
    }

    /** the instant of the oldest change the exact ring still keeps */
    static long exactRingStart(TimeLine truth) {
        int oldest = Math.max(0, truth.n - BusyClock.CHECKPOINTS);
        return oldest == 0 ? T : truth.at[oldest];
    }

    @Test
    void aLongIdleSpanBetweenCoarseCheckpointsIsExact() {
        BusyClock clock = new BusyClock(T);
        long[] at = new long[3_000];
        for (int i = 0; i < at.length; i++) {
            at[i] = T + 10_000 + i * 50L;    // 1,500 quick calls: 50 us each way, 150 ms in all
            if (i % 2 == 0) {
                clock.free(at[i]);
            } else {
                clock.busy(at[i]);
            }
        }
        long idleFrom = at[at.length - 1] + 1;   // busy after the last call, then free for 3 s
        clock.free(idleFrom);
        long end = idleFrom + 3_000_000;
        clock.busy(end);
        for (int i = 0; i < 1_100; i++) {        // more quick calls push the first ones out of the exact ring
            clock.free(end + 10 + i * 20L);
            clock.busy(end + 20 + i * 20L);
        }
        // the instants 1 s into the idle span: nothing changed between them and the end of the span
        assertThat(clock.busyBetween(idleFrom + 1_000_000, end)).isZero();
        assertThat(clock.approximated()).isFalse();
        assertThat(clock.busyBetween(idleFrom + 2_000_000, end)).isZero();
        assertThat(clock.approximated()).isFalse();
    }
}
