package io.latencylib.load;

import java.time.Duration;
import java.util.Locale;

/**
 * One line of live progress of a {@link LoadRun}, every {@link LoadRun.Builder#progressEvery(Duration)}.
 *
 * @param elapsed      time since the start, warm-up included
 * @param total        how long the schedule (with warm-up) lasts
 * @param targetRate   the rate the schedule asks for now, messages per second
 * @param achievedRate messages sent per second over the last interval
 * @param p50          end-to-end p50 over the last interval (from the intended send instant)
 * @param p99          end-to-end p99 over the last interval (from the intended send instant)
 * @param backlog      messages sent but not yet received
 * @param warmUp       true while the warm-up runs: nothing is measured yet, so p50 and p99 are zero
 */
public record Progress(Duration elapsed, Duration total, double targetRate, double achievedRate, Duration p50,
                       Duration p99, long backlog, boolean warmUp) {

    @Override
    public String toString() {
        String latency = warmUp ? "warm-up, not measured"
                : String.format(Locale.ROOT, "end-to-end p50 %.3f ms, p99 %.3f ms", p50.toNanos() / 1e6,
                        p99.toNanos() / 1e6);
        return String.format(Locale.ROOT, "%.1f/%.1f s: target %.0f msg/s, achieved %.0f msg/s, %s, backlog %d",
                elapsed.toMillis() / 1000.0, total.toMillis() / 1000.0, targetRate, achievedRate, latency, backlog);
    }
}
