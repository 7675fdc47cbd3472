package io.latencylib.kafka.junit;

import static io.latencylib.junit.LatencyAssertions.assertThat;
import static io.latencylib.junit.LatencyAssertions.assertThatThrownBy;
import static java.time.Duration.ofNanos;
import static java.time.Duration.ofSeconds;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.junit.LatencySloExtension;
import io.latencylib.load.LoadReport;
import io.latencylib.load.Schedule;
import io.latencylib.slo.Slo;
import io.latencylib.slo.SloSyntaxException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The AssertJ assertions on real reports of real traffic through the embedded broker, passing and failing. */
@ExtendWith(LatencySloExtension.class)
class LatencyAssertionsTest {

    @Test
    void aHealthyReportPassesEveryAssertion(KafkaSession kafka) throws Exception {
        Traffic.roundTrip(kafka, 300);
        LatencyReport report = kafka.report();

        assertThat(report).hasReceived(300).hasNoLoss().hasNoDuplicates().hasNoSendErrors().hasNoMergedStages()
                .meets("p99 < 5s", "lost == 0", "commit.p99 < 5s")
                .meets(Slo.percentile(99.9).below(ofSeconds(5)));
        assertThat(report).stage(Stage.COMMIT).percentile(99).isLessThan(ofSeconds(5));
        assertThat(report).stage(Stage.FETCH).isNotMerged().count().isEqualTo(300L);
        assertThat(report).endToEnd().p99().isLessThan(ofSeconds(5)).isPositive();
        assertThat(report).endToEnd().max().isGreaterThanOrEqualTo(report.endToEnd().p99());
        assertThat(report).endToEndFromActualSend().p50().isLessThanOrEqualTo(report.endToEnd().p99());
        assertThat(report).producerLatency().count().isEqualTo(300L);
        assertThat(report.counts().sent()).isEqualTo(300L); // AssertJ's own assertions come with the entry point
    }

    @Test
    void failuresSayWhatWasMeasuredAndWhereTheTimeWent(KafkaSession kafka) throws Exception {
        Traffic.roundTrip(kafka, 300);
        LatencyReport report = kafka.report();

        assertThatThrownBy(() -> assertThat(report).meets("p99 < 1us", "lost == 0"))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("SLO violated: p99 < 1us -- measured ")
                .hasMessageContaining("end-to-end over 300 messages")
                .hasMessageContaining("largest stage")
                .hasMessageNotContaining("lost == 0");
        assertThatThrownBy(() -> assertThat(report).stage(Stage.FETCH).p99().isLessThan(ofNanos(1)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("[fetch p99 over 300 messages (")
                .hasMessageContaining("to be less than");
        assertThatThrownBy(() -> assertThat(report).as("orders").endToEnd().percentile(99.9).isLessThan(ofNanos(1)))
                .hasMessageStartingWith("[orders: end-to-end p99.9 over 300 messages");
        assertThatThrownBy(() -> assertThat(report).hasReceived(301))
                .hasMessageContaining("Expecting 301 messages received, but 300 were (sent 300");
        assertThatThrownBy(() -> assertThat(report).meets("p99 < 1us in every 1s window"))
                .hasMessageContaining("must be checked window by window");
        assertThatThrownBy(() -> assertThat(report).meets("p99 <")).isInstanceOf(SloSyntaxException.class);
    }

    @Test
    void aStageObservedOnlyMergedFailsNamingTheMergedEntries(KafkaSession kafka) throws Exception {
        String createTime = kafka.newTopic(1, Map.of("message.timestamp.type", "CreateTime"));
        var consumer = kafka.consumerOf(createTime);
        var producer = kafka.producer();
        Traffic.send(producer, createTime, 50, 1000);
        int received = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (received < 50 && System.nanoTime() < deadline) {
            received += consumer.poll(Duration.ofMillis(100)).count();
        }
        LatencyReport report = kafka.report();

        assertThat(report).hasReceived(50);
        assertThatThrownBy(() -> assertThat(report).stage(Stage.COMMIT))
                .hasMessageContaining("stage <commit> on its own, but it was only observed merged: [publish+commit]")
                .hasMessageContaining("notes:");
        assertThatThrownBy(() -> assertThat(report).hasNoMergedStages()).hasMessageContaining("publish+commit");
        assertThat(report).stage(Stage.FETCH).p99().isLessThan(ofSeconds(30)); // the others are still there
    }

    @Test
    void loadReports(KafkaSession kafka) {
        LoadReport load = kafka.load().schedule(Schedule.constant(500, ofSeconds(1))).messageSize(100).run();

        assertThat(load).meets("p99 < 5s", "lost == 0").isDrained().achievedRate().isGreaterThan(450.0);
        assertThat(load).endToEnd().p99().isLessThan(ofSeconds(5));
        assertThat(load).report().hasReceived(500).stage(Stage.PUBLISH).p50().isLessThan(ofSeconds(5));
        assertThat(load).backlogGrowthPerSecond().isLessThan(500.0);
        assertThatThrownBy(() -> assertThat(load).meets("p99 < 1us"))
                .hasMessageStartingWith("SLO violated: p99 < 1us")
                .hasMessageContaining("(end-to-end from the intended send instant)");
        assertThatThrownBy(() -> assertThat(load).achievedRate().isGreaterThan(1e9))
                .hasMessageContaining("[achieved rate in msg/s (target 500.0 msg/s, 500 sent)]");
        assertThat(kafka.report().counts().sent()).isEqualTo(500L); // the session's recorder is the run's
    }
}
