package io.latencylib.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The split against the rules of the latency model's "Boundaries and the split" section, one row per
 * rule: instants in (microseconds after a base instant; {@code _} = absent), boundaries and clamps out.
 */
class SplitTest {

    static final long T = 1_700_000_000_000_000L;   // a whole millisecond
    static final long NA = Long.MIN_VALUE;

    /**
     * @param busy  the consumer's time line: "free@t" / "busy@t" changes in order (relative), "" = never
     *              observed (interceptor), or "since@t" for a split computed away from the consumer
     */
    record Row(String rule, long send, long dispatch, long appendMillisOffset, long commit, long receive,
               String busy, long[] expected, int clampedBoundary, long clampMicros, boolean approximated) {
        @Override
        public String toString() {
            return rule;
        }
    }

    static Row row(String rule, long send, long dispatch, long appendMs, long commit, long receive, String busy,
                   long b1, long b2, long b3, long b4, long b5) {
        return new Row(rule, send, dispatch, appendMs, commit, receive, busy, new long[] {send, b1, b2, b3, b4, b5},
                -1, 0, false);
    }

    static Row clamped(Row r, int boundary, long micros) {
        return new Row(r.rule, r.send, r.dispatch, r.appendMillisOffset, r.commit, r.receive, r.busy, r.expected,
                boundary, micros, r.approximated);
    }

    static Row approximated(Row r) {
        return new Row(r.rule, r.send, r.dispatch, r.appendMillisOffset, r.commit, r.receive, r.busy, r.expected,
                r.clampedBoundary, r.clampMicros, true);
    }

    static Stream<Row> rows() {
        return Stream.of(
                // every instant observed, consumer asking all along: catch-up 0, fetch = receive - commit
                row("all observed, consumer free", 0, 5_000, 5, 7_000, 9_000, "free@-100",
                        5_000, 5_499, 7_000, 7_000, 9_000),
                // the append lies in its millisecond window [5 ms, 6 ms): placed in the middle of what is left
                row("append window between dispatch and commit", 0, 5_200, 5, 7_000, 9_000, "free@-100",
                        5_200, 5_599, 7_000, 7_000, 9_000),
                // truncated append time before the client's send: inside the window, not a clamp
                row("append truncated before send (ms window absorbs it)", 300, NA, 0, 2_000, 3_000, "free@0",
                        NA, 649, 2_000, 2_000, 3_000),
                // dispatch estimated before send: clamped to send and counted
                clamped(row("dispatch before send", 100, 50, 5, 7_000, 9_000, "free@0",
                        100, 5_499, 7_000, 7_000, 9_000), Split.B_DISPATCH, 50),
                // dispatch after the end of the append window: cannot be later than the append
                clamped(row("dispatch after the append window", 0, 8_000, 5, 9_000, 10_000, "free@0",
                        5_999, 5_999, 9_000, 9_000, 10_000), Split.B_DISPATCH, 2_001),
                // the whole append window lies before dispatch: append clamped up to dispatch
                clamped(row("append window before dispatch", 0, 9_000, 5, 9_500, 10_000, "free@0",
                        5_999, 5_999, 9_500, 9_500, 10_000), Split.B_DISPATCH, 3_001),
                // the append window lies after the commit: append clamped down to the commit
                clamped(row("append window after commit", 0, 1_000, 8, 3_000, 10_000, "free@0",
                        1_000, 3_000, 3_000, 3_000, 10_000), Split.B_APPEND, 5_000),
                // ack after receive (the race): commit ends at receive, fetch 0, not a clamp
                row("ack after receive", 0, 1_000, 1, 5_000, 4_000, "free@0",
                        1_000, 1_499, 4_000, 4_000, 4_000),
                // ack before the append's window: commit clamped up to the append
                clamped(row("ack before append", 0, 1_000, 5, 3_000, 9_000, "free@0",
                        1_000, 3_000, 3_000, 3_000, 9_000), Split.B_APPEND, 2_000),
                // receive before send (clock offset across hosts): receive clamped to send
                clamped(row("receive before send", 1_000, NA, NA, NA, 500, "free@0",
                        NA, NA, NA, NA, 1_000), Split.B_RECEIVE, 500),
                // the busy rule: busy all of [commit, receive] -> catch-up is all of it
                row("consumer busy all along", 0, 1_000, 1, 2_000, 12_000, "busy@0",
                        1_000, 1_499, 2_000, 12_000, 12_000),
                // busy until 7 ms, then asking: catch-up 5 ms, fetch 5 ms
                row("consumer busy, then asking", 0, 1_000, 1, 2_000, 12_000, "busy@0 free@7000",
                        1_000, 1_499, 2_000, 7_000, 12_000),
                // handed out one call at a time: tiny busy gaps between calls stay catch-up, the wait stays fetch
                row("one message per call, waiting for the broker", 0, 1_000, 1, 2_000, 22_000,
                        "free@0 busy@3000 free@3010 busy@20000 free@20005",
                        1_000, 1_499, 2_000, 2_015, 22_000),
                // before its first call a consumer counts as busy
                row("consumer created before, first call later", 0, 1_000, 1, 2_000, 12_000, "free@10000",
                        1_000, 1_499, 2_000, 10_000, 12_000),
                // no time line (an interceptor): catch-up and fetch merged
                row("time line unknown", 0, 1_000, 1, 2_000, 12_000, "",
                        1_000, 1_499, 2_000, NA, 12_000),
                // computed away from the consumer: free since 5 ms, busy before that (counted approximated)
                approximated(row("split on another thread, free since", 0, 1_000, 1, 2_000, 12_000, "since@5000",
                        1_000, 1_499, 2_000, 5_000, 12_000)),
                row("split on another thread, free before commit", 0, 1_000, 1, 2_000, 12_000, "since@1500",
                        1_000, 1_499, 2_000, 2_000, 12_000),
                // absent instants merge stages, never invented
                row("no dispatch", 0, NA, 5, 7_000, 9_000, "free@0", NA, 5_499, 7_000, 7_000, 9_000),
                row("no append time", 0, 1_000, NA, 7_000, 9_000, "free@0", 1_000, NA, 7_000, 7_000, 9_000),
                row("no commit (acks=1, remote producer)", 0, 1_000, 5, NA, 9_000, "free@0",
                        1_000, 5_499, NA, NA, 9_000),
                row("nothing but send and receive", 0, NA, NA, NA, 9_000, "free@0", NA, NA, NA, NA, 9_000));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void splitsAsTheLatencyModelSays(Row r) {
        long appendMillis = r.appendMillisOffset == NA ? NA : T / 1000 + r.appendMillisOffset;
        BusyClock clock = null;
        long freeSince = NA;
        if (r.busy.startsWith("since@")) {
            freeSince = T + Long.parseLong(r.busy.substring(6));
        } else {
            clock = new BusyClock(T - 1_000_000);
            for (String change : r.busy.split(" ")) {
                if (change.isEmpty()) {
                    continue;
                }
                long at = T + Long.parseLong(change.substring(change.indexOf('@') + 1));
                if (change.startsWith("free")) {
                    clock.free(at);
                } else {
                    clock.busy(at);
                }
            }
        }
        Split split = new Split().compute(T + r.send, abs(r.dispatch), appendMillis, abs(r.commit), T + r.receive,
                clock, freeSince);
        long[] expected = new long[6];
        for (int i = 0; i < 6; i++) {
            expected[i] = abs(r.expected[i]);
        }
        assertThat(split.b).as("boundaries b0..b5").containsExactly(expected);
        for (int i = 1; i <= 5; i++) {
            assertThat(split.clampMicros[i]).as("clamp at b%d", i).isEqualTo(i == r.clampedBoundary ? r.clampMicros : 0);
        }
        assertThat(split.approximated).as("approximated").isEqualTo(r.approximated);
        // the sum rule: present boundaries are monotone, so the stages are never negative and sum to end-to-end
        long prev = split.b[0];
        long sum = 0;
        for (int i = 1; i <= 5; i++) {
            if (split.b[i] != NA) {
                assertThat(split.b[i]).isGreaterThanOrEqualTo(prev);
                sum += split.b[i] - prev;
                prev = split.b[i];
            }
        }
        assertThat(sum).isEqualTo(split.b[5] - split.b[0]);
    }

    private static long abs(long relative) {
        return relative == NA ? NA : T + relative;
    }

    @Test
    void clockOffsetBoundsComeFromTheAppendWindow() {
        // append in [T+5 ms, T+6 ms), send T, commit T+7 ms: broker - client between 5-7 = -2 ms and 6 ms - 1 us
        Split split = new Split().compute(T, T + 1_000, T / 1000 + 5, T + 7_000, T + 9_000, null, NA);
        assertThat(split.offsetLower).isEqualTo(5_000 - 7_000);
        assertThat(split.offsetUpper).isEqualTo(5_999);
        assertThat(new Split().compute(T, T + 1_000, NA, T + 7_000, T + 9_000, null, NA).offsetLower).isEqualTo(NA);
    }

    @Test
    void busyTimeOlderThanBothRingsCountsAsBusyAndSaysSo() {
        BusyClock clock = new BusyClock(T);
        // 3,000 calls of 2 ms each (1 ms free, then 1 ms busy): the exact ring keeps the last 1,024 changes
        // (1 s), the coarse ring one change in two (the first 2 ms after the one before): 2,048 of them, 4 s
        long start = T + 1_000_000;
        for (int i = 0; i < 3_000; i++) {
            clock.free(start + i * 2_000L);
            clock.busy(start + i * 2_000L + 1_000);
        }
        long end = start + 3_000 * 2_000L;
        clock.free(end);
        // from a call still among the last 1,024 changes: exact
        long from = end - 100 * 2_000L;
        assertThat(clock.busyBetween(from, end)).isEqualTo(100 * 1_000L);
        assertThat(clock.approximated()).isFalse();
        // from a call 2.5 s back (older than the exact ring, inside the coarse one): exact at a coarse checkpoint
        from = end - 1_250 * 2_000L;
        assertThat(clock.busyBetween(from, end)).isEqualTo(1_250 * 1_000L);
        assertThat(clock.approximated()).isFalse();
        // ... and within 1 ms between two coarse checkpoints (here 500 us after a free one)
        assertThat(clock.busyBetween(from + 500, end)).isBetween(1_250 * 1_000L - 1_000, 1_250 * 1_000L);
        assertThat(clock.approximated()).isFalse();
        // from before the oldest checkpoint of either ring (5 s back): the missing span counts as busy
        long busy = clock.busyBetween(start, end);
        assertThat(clock.approximated()).isTrue();
        assertThat(busy).isGreaterThan(3_000 * 1_000L).isLessThanOrEqualTo(end - start);
    }

    @Test
    void theBusyClockIsMonotoneWhenTheWallClockStepsBack() {
        BusyClock clock = new BusyClock(T);
        clock.free(T + 100);
        clock.busy(T + 50);   // stepped back: taken as T + 100
        clock.free(T + 300);
        assertThat(clock.busyBetween(T, T + 400)).isEqualTo(100 + 200);
        assertThat(clock.freeSinceBefore(T + 400)).isEqualTo(T + 300);
        clock.busy(T + 400);  // a call returned at the receive instant: the free span ended there
        assertThat(clock.freeSinceBefore(T + 400)).isEqualTo(T + 300);
        // busy before the receive instant was read: no free span, the split away from the consumer counts
        // [commit, receive] busy (approximated) rather than merging catch-up and fetch
        assertThat(clock.freeSinceBefore(T + 450)).isEqualTo(T + 450);
    }
}
