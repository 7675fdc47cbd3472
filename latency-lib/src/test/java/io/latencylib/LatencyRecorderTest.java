package io.latencylib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

    /** A clock the test drives. */
    static final class ManualClock implements LatencyClock {
        long now = 1_700_000_000_000_000L;

        @Override
        public long nowMicros() {
            return now;
        }
    }

    final ManualClock clock = new ManualClock();
    final List<MessageLatency> messages = new CopyOnWriteArrayList<>();
    final LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).evictAfter(Duration.ofSeconds(1))
            .messageListener(messages::add).build();

    @Test
    void splitsAFullyObservedMessageIntoFiveStagesThatSumToEndToEnd() {
        ProducerProbe producer = recorder.newProducerProbe("test", true, Duration.ofMillis(5), 16384, 5);
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        long t0 = clock.now;
        consumer.free(t0 - 100);                                    // consumer already waiting
        byte[] stamp = producer.beginSend(t0, LatencyStamp.NOT_PACED);
        producer.sendReturned(stamp, t0 + 20);
        long appendMs = (t0 + 5_000 + 300) / 1000;                  // broker appended 5.3 ms later (ms resolution)
        producer.acked(stamp, t0 + 7_000, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 1000);
        assertThat(consumer.received(stamp, 0, appendMs, t0 + 9_000)).isTrue();
        consumer.busy(t0 + 9_000);

        LatencyReport report = recorder.report();
        assertThat(report.mergedStages()).isEmpty();
        // the linger, within HdrHistogram's 3 significant digits
        assertThat(report.stage(Stage.PRODUCE).orElseThrow().p50().toNanos()).isBetween(5_000_000L, 5_005_000L);
        assertThat(report.counts().joined()).isEqualTo(1);
        MessageLatency m = messages.get(0);
        long sum = 0;
        for (Stage s : Stage.values()) {
            assertThat(m.stageMicros(s)).isNotNegative();
            sum += m.stageMicros(s);
        }
        assertThat(sum).isEqualTo(m.endToEndMicros()).isEqualTo(9_000);
        assertThat(m.stageMicros(Stage.PRODUCE)).isEqualTo(5_000);
        // the append lies in its millisecond window, between dispatch and ack
        assertThat(m.boundaryMicros(2)).isBetween(appendMs * 1000, appendMs * 1000 + 999);
        assertThat(m.stageMicros(Stage.CATCH_UP)).isZero();        // consumer was waiting before the commit
        assertThat(m.stageMicros(Stage.FETCH)).isEqualTo(2_000);
        assertThat(report.clamps(Stage.PUBLISH)).isZero();
    }

    @Test
    void joinsWhenTheConsumerGetsTheMessageBeforeTheProducerGetsItsAck() {
        ProducerProbe producer = recorder.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        long t0 = clock.now;
        byte[] stamp = producer.beginSend(t0, LatencyStamp.NOT_PACED);
        consumer.free(t0);
        consumer.received(stamp, 0, (t0 + 1_000) / 1000, t0 + 2_000);
        assertThat(messages).isEmpty();
        producer.acked(stamp, t0 + 2_500, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 100);
        assertThat(messages).hasSize(1);
        MessageLatency m = messages.get(0);
        assertThat(m.boundaryMicros(3)).isEqualTo(t0 + 2_000);    // commit ends at min(ack, receive)
        assertThat(m.stageMicros(Stage.FETCH)).isZero();
    }

    @Test
    void reportsMergedStagesWhenInstantsAreAbsentAndNeverInventsThem() {
        ProducerProbe acksOne = recorder.newProducerProbe("test", false, Duration.ZERO, 16384, 5); // ack is not commit
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        long t0 = clock.now;
        byte[] stamp = acksOne.beginSend(t0, LatencyStamp.NOT_PACED);
        acksOne.acked(stamp, t0 + 1_000, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 100);
        consumer.received(stamp, 0, ConsumerProbe.NO_APPEND_TIME, t0 + 3_000);   // CreateTime topic
        LatencyReport report = recorder.report();
        assertThat(report.mergedStages()).containsExactly("publish+commit+catch-up+fetch");
        assertThat(report.stage(Stage.COMMIT)).isEmpty();
        MessageLatency m = messages.get(0);
        assertThat(m.observed(Stage.PRODUCE)).isTrue();
        assertThat(m.observed(Stage.COMMIT)).isFalse();
    }

    @Test
    void countsDuplicatesReorderingAndForeignMessages() {
        ProducerProbe producer = recorder.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        long t = clock.now;
        byte[] first = producer.beginSend(t, LatencyStamp.NOT_PACED);
        byte[] second = producer.beginSend(t, LatencyStamp.NOT_PACED);
        producer.acked(first, t + 10, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 10);
        producer.acked(second, t + 10, ProducerProbe.ESTIMATE, 0, ProducerProbe.SAME_BATCH, 10);
        consumer.received(second, 0, ConsumerProbe.NO_APPEND_TIME, t + 20);
        consumer.received(first, 0, ConsumerProbe.NO_APPEND_TIME, t + 20);   // out of order in one partition
        consumer.received(first, 0, ConsumerProbe.NO_APPEND_TIME, t + 30);   // again
        assertThat(consumer.received(null, 0, ConsumerProbe.NO_APPEND_TIME, t + 30)).isFalse();
        assertThat(consumer.received(new byte[] {1, 2, 3}, 0, ConsumerProbe.NO_APPEND_TIME, t + 30)).isFalse();
        byte[] future = LatencyStamp.encode(1, 2, t, t);
        future[0] = 3;
        assertThat(consumer.received(future, 0, ConsumerProbe.NO_APPEND_TIME, t + 30)).isFalse();
        LatencyReport.Counts c = recorder.report().counts();
        assertThat(c.joined()).isEqualTo(2);
        assertThat(c.duplicated()).isEqualTo(1);
        assertThat(c.reordered()).isEqualTo(1);
        assertThat(c.unstamped()).isEqualTo(3);
        assertThat(c.lost()).isZero();
    }

    @Test
    void evictsAcknowledgedMessagesNeverReceivedAsLostAndUndoesItWhenTheyArriveLate() {
        ProducerProbe producer = recorder.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        long t = clock.now;
        byte[] stamp = producer.beginSend(t, LatencyStamp.NOT_PACED);
        producer.acked(stamp, t + 10, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 10);
        assertThat(recorder.report().counts().inFlight()).isEqualTo(1);
        clock.now += 2_000_000;
        LatencyReport.Counts c = recorder.report().counts();
        assertThat(c.lost()).isEqualTo(1);
        assertThat(c.evicted()).isEqualTo(1);
        consumer.received(stamp, 0, ConsumerProbe.NO_APPEND_TIME, clock.now);
        assertThat(recorder.report().counts().lost()).isZero();
    }

    @Test
    void boundsMemoryByOverwritingTheOldestSlotsAndCountsThem() {
        LatencyRecorder small = LatencyRecorder.builder().clock(clock).joinCapacity(16).build();
        ProducerProbe producer = small.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        for (int i = 0; i < 40; i++) {
            producer.beginSend(clock.now, LatencyStamp.NOT_PACED);
        }
        assertThat(small.report().counts().evicted()).isEqualTo(24);
        assertThat(small.report().notes()).anyMatch(n -> n.contains("joinCapacity"));
    }

    @Test
    void aProducerOnlyRecorderFreesEachSlotAtItsAcknowledgementAndCountsNothingLost() {
        LatencyRecorder producerOnly = LatencyRecorder.builder().clock(clock).joinCapacity(16)
                .evictAfter(Duration.ofSeconds(1)).producerOnly().build();
        LatencyRecorder joining = LatencyRecorder.builder().clock(clock).joinCapacity(16)
                .evictAfter(Duration.ofSeconds(1)).build();
        for (LatencyRecorder r : List.of(producerOnly, joining)) {
            ProducerProbe producer = r.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
            for (int i = 0; i < 1_000; i++) {   // 1,000 messages through 16 slots, 4 unacknowledged at a time
                byte[] stamp = producer.beginSend(clock.now, clock.now - 50);
                byte[] older = i >= 4 ? stamps[(i - 4) % 4] : null;
                if (older != null) {
                    producer.acked(older, clock.now + 2_000, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 10);
                }
                stamps[i % 4] = stamp;
                clock.now += 10;
            }
        }
        clock.now += 2_000_000;   // past the eviction time
        LatencyReport.Counts only = producerOnly.report().counts();
        assertThat(only.sent()).isEqualTo(1_000);
        assertThat(only.acked()).isEqualTo(996);
        assertThat(only.evicted()).isEqualTo(4);   // only the 4 never acknowledged
        assertThat(only.lost()).isZero();
        assertThat(producerOnly.report().notes()).isEmpty();
        assertThat(producerOnly.report().producerLatency().orElseThrow().count()).isEqualTo(996);
        assertThat(producerOnly.report().lateness().orElseThrow().count()).isEqualTo(1_000);
        // the same sends into a recorder that waits for consumers overflow its 16 slots
        assertThat(joining.report().counts().evicted()).isGreaterThan(900);
    }

    private final byte[][] stamps = new byte[4][];

    @Test
    void clampsAnAppendTimeOutsideItsWindowAndCountsIt() {
        ProducerProbe producer = recorder.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        long t0 = clock.now;
        byte[] stamp = producer.beginSend(t0, LatencyStamp.NOT_PACED);
        producer.acked(stamp, t0 + 3_000, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 10);
        consumer.received(stamp, 0, (t0 - 5_000) / 1000, t0 + 4_000);   // broker clock 5 ms behind
        LatencyReport report = recorder.report();
        assertThat(report.clamps(Stage.PUBLISH)).isEqualTo(1);
        assertThat(report.clockOffsetBounds().orElseThrow().upperMicros()).isLessThan(-3_000);
        MessageLatency m = messages.get(0);
        assertThat(m.stageMicros(Stage.PUBLISH)).isZero();
    }

    @Test
    void rejectsBadSettingsWithAClearMessage() {
        assertThatThrownBy(() -> LatencyRecorder.builder().joinCapacity(1000))
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> LatencyRecorder.builder().evictAfter(Duration.ZERO))
                .hasMessageContaining("from 1ms to 1h");
    }

    @Test
    void stampRoundTripsAndRejectsGarbage() {
        byte[] s = LatencyStamp.encode(42, 7, 1_000_000, 999_000);
        assertThat(LatencyStamp.isValid(s)).isTrue();
        assertThat(LatencyStamp.producerId(s)).isEqualTo(42);
        assertThat(LatencyStamp.sequence(s)).isEqualTo(7);
        assertThat(LatencyStamp.sendMicros(s)).isEqualTo(1_000_000);
        assertThat(LatencyStamp.intendedMicros(s)).isEqualTo(999_000);
        assertThat(LatencyStamp.isValid(new byte[LatencyStamp.LENGTH])).isFalse();
        assertThat(LatencyStamp.isValid(java.util.Arrays.copyOf(s, 20))).isFalse();
    }

    @Test
    void intervalReadersReportConsecutiveIntervalsIndependentlyOfTheCumulativeReport() {
        ProducerProbe producer = recorder.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        LatencyRecorder.IntervalReader reader = recorder.newIntervalReader();
        Runnable oneMessage = () -> {
            long t = clock.now;
            byte[] stamp = producer.beginSend(t, LatencyStamp.NOT_PACED);
            producer.acked(stamp, t + 10, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 10);
            consumer.received(stamp, 0, ConsumerProbe.NO_APPEND_TIME, t + 20);
            clock.now += 1000;
        };
        oneMessage.run();
        oneMessage.run();
        assertThat(reader.next().counts().joined()).isEqualTo(2);
        oneMessage.run();
        LatencyReport interval = reader.next();
        assertThat(interval.counts().joined()).isEqualTo(1);
        assertThat(interval.endToEnd().count()).isEqualTo(1);
        assertThat(recorder.report().counts().joined()).isEqualTo(3);
        recorder.reset();
        assertThat(recorder.report().counts().joined()).isZero();
        assertThat(recorder.report().endToEnd().count()).isZero();
        oneMessage.run();
        assertThat(recorder.report().counts().joined()).isEqualTo(1);
        assertThat(reader.next().counts().joined()).isEqualTo(1);
    }
}
