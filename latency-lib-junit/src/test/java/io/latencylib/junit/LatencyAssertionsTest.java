package io.latencylib.junit;

import static io.latencylib.junit.LatencyAssertions.assertThat;
import static io.latencylib.junit.LatencyAssertions.assertThatThrownBy;
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofNanos;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.LatencyStamp;
import io.latencylib.Stage;
import io.latencylib.slo.SloSyntaxException;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import org.junit.jupiter.api.Test;

/**
 * The AssertJ assertions without any broker: real reports, made in memory by the recorder from the
 * instants a broker adapter would give it (a clock the test drives), passing and failing.
 */
class LatencyAssertionsTest {

    /** A clock the test drives. */
    static final class ManualClock implements LatencyClock {
        long now = 1_700_000_000_000_000L;

        @Override
        public long nowMicros() {
            return now;
        }
    }

    /**
     * 100 messages, one every millisecond: message i takes 1 ms to produce, 1 ms to publish, 1 ms to
     * commit and 1 + (i % 10) ms to fetch, so end-to-end is 5..14 ms; with {@code ackMarksCommit}
     * false the acknowledgement is not a commit, and commit is only seen merged.
     */
    private static LatencyReport traffic(boolean ackMarksCommit) {
        ManualClock clock = new ManualClock();
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).build();
        ProducerProbe producer = recorder.newProducerProbe("test", ackMarksCommit, ofMillis(0), 16384, 5);
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        consumer.free(clock.now - 100);   // asking all along: catch-up 0
        for (int i = 0; i < 100; i++) {
            long t0 = clock.now + i * 1_000L;
            byte[] stamp = producer.beginSend(t0, LatencyStamp.NOT_PACED);
            producer.sendReturned(stamp, t0 + 10);
            long appendMicros = t0 + 2_000;
            producer.acked(stamp, t0 + 3_000, t0 + 1_000, 0, ProducerProbe.NEW_REQUEST, 100);
            consumer.received(stamp, 0, appendMicros / 1000, t0 + 4_000 + (i % 10) * 1_000L);
        }
        clock.now += 200_000;
        return recorder.report();
    }

    @Test
    void aHealthyReportPassesEveryAssertion() {
        LatencyReport report = traffic(true);

        assertThat(report).hasReceived(100).hasNoLoss().hasNoDuplicates().hasNoSendErrors().hasNoMergedStages()
                .meets("p99 < 20ms", "lost == 0", "fetch.p99 < 12ms");
        assertThat(report).endToEnd().p99().isLessThan(ofMillis(20)).isGreaterThan(ofMillis(12));
        assertThat(report).endToEnd().max().isGreaterThanOrEqualTo(report.endToEnd().p99());
        assertThat(report).stage(Stage.FETCH).isNotMerged().count().isEqualTo(100L);
        assertThat(report).producerLatency().count().isEqualTo(100L);
        assertThat(report.counts().sent()).isEqualTo(100L); // AssertJ's own assertions come with the entry point
    }

    @Test
    void failuresSayWhatWasMeasuredAndWhereTheTimeWent() {
        LatencyReport report = traffic(true);

        assertThatThrownBy(() -> assertThat(report).meets("p99 < 5ms", "lost == 0"))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("SLO violated: p99 < 5ms -- measured ")
                .hasMessageContaining("end-to-end over 100 messages")
                .hasMessageContaining("the largest stage is fetch")
                .hasMessageNotContaining("lost == 0");
        assertThatThrownBy(() -> assertThat(report).stage(Stage.FETCH).p99().isLessThan(ofNanos(1)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("[fetch p99 over 100 messages (")
                .hasMessageContaining("to be less than");
        assertThatThrownBy(() -> assertThat(report).as("orders").endToEnd().percentile(99.9).isLessThan(ofNanos(1)))
                .hasMessageStartingWith("[orders: end-to-end p99.9 over 100 messages");
        assertThatThrownBy(() -> assertThat(report).hasReceived(101))
                .hasMessageContaining("Expecting 101 messages received, but 100 were (sent 100");
        assertThatThrownBy(() -> assertThat(report).meets("p99 < 1us in every 1s window"))
                .hasMessageContaining("must be checked window by window");
        assertThatThrownBy(() -> assertThat(report).meets("p99 <")).isInstanceOf(SloSyntaxException.class);
    }

    @Test
    void aStageObservedOnlyMergedFailsNamingTheMergedEntries() {
        LatencyReport report = traffic(false);

        assertThat(report).hasReceived(100);
        assertThat(report.mergedStages()).isNotEmpty();
        assertThatThrownBy(() -> assertThat(report).stage(Stage.COMMIT))
                .hasMessageContaining("stage <commit> on its own, but it was only observed merged: ")
                .hasMessageContaining("commit");
    }
}
