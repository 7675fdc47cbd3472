package io.latencylib.kafka;

import static io.latencylib.kafka.KafkaTestSupport.bootstrap;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.load.LoadDriver;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.Progress;
import io.latencylib.load.Schedule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Paced load through the Kafka driver on the real embedded broker. */
@ExtendWith(KafkaTestSupport.class)
class LoadRunTest {

    private static int topics;

    private static LoadRun.Builder run(LoadDriver driver) {
        return LoadRun.builder(driver).destination("load-" + (++topics)).messageSize(1024)
                .progressListener(p -> { });
    }

    private static KafkaLoadDriver driver() {
        return KafkaLoadDriver.create(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ProducerConfig.LINGER_MS_CONFIG, 1), Map.of(), 0);
    }

    @Test
    void aConstantRateIsHeldAndEveryMessageArrives() {
        List<Progress> progress = new CopyOnWriteArrayList<>();
        LoadReport report = run(driver()).schedule(Schedule.constant(2_000, Duration.ofSeconds(5)))
                .warmUp(Duration.ofSeconds(1)).progressEvery(Duration.ofSeconds(1)).progressListener(progress::add).run();
        System.out.println(report.toTable());
        assertThat(report.sent()).isEqualTo(10_000);
        // 1% is shown by samples/.../bench/ConstantRates on a quiet machine; 3% here: one late final send on a busy
        // machine stretches the sending time
        assertThat(report.achievedRate()).isCloseTo(2_000, org.assertj.core.data.Percentage.withPercentage(3));
        assertThat(report.drained()).isTrue();
        assertThat(report.report().counts().received()).isEqualTo(10_000);
        assertThat(report.report().counts().lost()).isZero();
        assertThat(report.report().mergedStages()).isEmpty();
        assertThat(report.endToEndCorrected().count()).isEqualTo(10_000);
        assertThat(report.backlogGrowthPerSecond()).isLessThan(100); // 5% of the rate: the consumer keeps up
        assertThat(progress).hasSizeGreaterThanOrEqualTo(4);
        assertThat(progress.get(progress.size() - 1).achievedRate()).isCloseTo(2_000,
                org.assertj.core.data.Percentage.withPercentage(25));
    }

    @Test
    void aStalledSenderShowsInTheCorrectedLatencyOnly() {
        // the producer blocks for 500 ms once, at the 2,000th message (2 s into a 1,000 msg/s run)
        LoadDriver stalling = new StallingDriver(driver(), 2_000, Duration.ofMillis(500));
        LoadReport report = run(stalling).schedule(Schedule.constant(1_000, Duration.ofSeconds(6))).run();
        System.out.println(report.toTable());
        double corrected = ms(report.endToEndCorrected().p99());
        double uncorrected = ms(report.endToEndUncorrected().p99());
        assertThat(corrected).as("corrected p99 shows the stall").isGreaterThan(250);
        assertThat(uncorrected).as("uncorrected p99 hides it").isLessThan(corrected / 3);
        // ~500 messages were due during the stall; a busy machine can make more of the others late too
        assertThat(report.lateMessages()).as("messages due during the stall are late").isGreaterThanOrEqualTo(400L);
        assertThat(ms(report.lateness().orElseThrow().max())).isBetween(450.0, 2_000.0);
        assertThat(report.toTable()).contains("late by more than 1 ms: " + report.lateMessages() + " messages");
        assertThat(report.sent()).isEqualTo(6_000); // nothing skipped
    }

    @Test
    void stepsAreReportedOneByOne() {
        LoadReport report = run(driver()).schedule(Schedule.steps(Duration.ofSeconds(2), 500, 1_000, 2_000)).run();
        System.out.println(report.toTable());
        assertThat(report.phases()).hasSize(3);
        double[] targets = {500, 1_000, 2_000};
        for (int i = 0; i < 3; i++) {
            LoadReport.Phase p = report.phases().get(i);
            assertThat(p.targetRate()).isEqualTo(targets[i]);
            assertThat(p.achievedRate()).isCloseTo(targets[i], org.assertj.core.data.Percentage.withPercentage(10));
            assertThat(p.report().endToEnd().count()).isGreaterThan((long) (targets[i] * 2 * 0.8));
        }
        assertThat(report.sent()).isEqualTo(7_000);
    }

    @Test
    void burstsRaiseTheTailThatAConstantRateOfTheSameAverageDoesNot() {
        LoadReport constant = run(driver()).schedule(Schedule.constant(1_000, Duration.ofSeconds(5)))
                .warmUp(Duration.ofSeconds(1)).run();
        LoadReport bursts = run(driver()).schedule(Schedule.bursts(1_000, Duration.ofSeconds(1), Duration.ofSeconds(5)))
                .warmUp(Duration.ofSeconds(1)).run();
        System.out.println(constant.toTable() + "\n" + bursts.toTable());
        assertThat(bursts.targetRate()).isEqualTo(constant.targetRate());
        assertThat(bursts.sent()).isEqualTo(constant.sent());
        // at p90, where one stall of a busy machine (which can lift a p99 of 5,000 messages) does not reach
        double constantP90 = ms(constant.endToEndCorrected().p90());
        double burstP90 = ms(bursts.endToEndCorrected().p90());
        assertThat(burstP90).isGreaterThan(constantP90 * 3).isGreaterThan(constantP90 + 5);
    }

    @Test
    void aRunCanRecordIntoTheApplicationsOwnRecorder() {
        LatencyRecorder recorder = LatencyRecorder.create();
        LoadReport report = run(driver()).recorder(recorder).schedule(Schedule.poisson(1_000, Duration.ofSeconds(2), 3))
                .run();
        assertThat(recorder.report().counts().received()).isEqualTo(report.sent());
        assertThat(report.sent()).isBetween(1_700L, 2_300L);
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    /** A driver whose sender blocks once, as a producer stuck on metadata or a full buffer would. */
    private static final class StallingDriver implements LoadDriver {
        private final LoadDriver delegate;
        private final long stallAt;
        private final Duration stall;

        StallingDriver(LoadDriver delegate, long stallAt, Duration stall) {
            this.delegate = delegate;
            this.stallAt = stallAt;
            this.stall = stall;
        }

        @Override
        public String system() {
            return delegate.system();
        }

        @Override
        public void open(String destination, int producers, int consumers, LatencyRecorder recorder) {
            delegate.open(destination, producers, consumers, recorder);
        }

        @Override
        public Sender sender(int index) {
            Sender sender = delegate.sender(index);
            long[] count = {0};
            return (key, payload, intended) -> {
                if (count[0]++ == stallAt) {
                    long until = System.nanoTime() + stall.toNanos();
                    for (long left; (left = until - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(left); // the injected stall itself
                    }
                }
                sender.send(key, payload, intended);
            };
        }

        @Override
        public void flush() {
            delegate.flush();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
