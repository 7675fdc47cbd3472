package io.latencylib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What no traffic can break: garbage that looks like a stamp, redeliveries after slot reuse, counts at
 * the edges, the memory bound for producers of other processes, and the settings' ranges.
 */
class RecorderBoundsTest {

    final LatencyRecorderTest.ManualClock clock = new LatencyRecorderTest.ManualClock();

    @Test
    void randomHeadersOfEveryLengthAreNeverRecordedAndAreCountedUnstampedOrImplausible() {
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).build();
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        consumer.free(clock.now);
        Random random = new Random(42);
        int stampShaped = 0;
        for (int i = 0; i < 10_000; i++) {
            int length = i % (LatencyStamp.LENGTH + 8);              // 0..41: both stamp lengths included
            byte[] value = new byte[length];
            random.nextBytes(value);
            if (length > 0 && i % 2 == 0) {
                value[0] = (byte) (length == 30 ? 1 : LatencyStamp.VERSION);   // a valid first byte
            }
            byte[] copy = value.clone();
            stampShaped += length == 30 && value[0] == 1 ? 1 : 0;
            assertThat(consumer.received(value, 0, ConsumerProbe.NO_APPEND_TIME, clock.now)).isFalse();
            assertThat(value).as("the header value is not changed").isEqualTo(copy);
        }
        LatencyReport report = recorder.report();
        LatencyReport.Counts c = report.counts();
        assertThat(c.unstamped() + c.implausible()).isEqualTo(10_000);
        assertThat(c.implausible()).as("version-1-shaped garbage is caught by its send instant")
                .isEqualTo(stampShaped).isPositive();
        assertThat(c.received()).isZero();
        assertThat(report.endToEnd().count()).isZero();
        assertThat(report.stages()).isEmpty();
        assertThat(report.clockOffsetBounds()).isEmpty();
    }

    @Test
    void aValidStampSentLongerAgoThanTheEvictionTimeOrInTheFutureIsImplausible() {
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).evictAfter(Duration.ofSeconds(10))
                .maxClockOffset(Duration.ofSeconds(1)).build();
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        long now = clock.now;
        assertThat(consumer.received(LatencyStamp.encode(1, 0, now - 12_000_000, LatencyStamp.NOT_PACED), 0,
                ConsumerProbe.NO_APPEND_TIME, now)).isFalse();
        assertThat(consumer.received(LatencyStamp.encode(1, 1, now + 2_000_000, LatencyStamp.NOT_PACED), 0,
                ConsumerProbe.NO_APPEND_TIME, now)).isFalse();
        assertThat(consumer.received(LatencyStamp.encode(1, 2, now - 10_500_000, LatencyStamp.NOT_PACED), 0,
                ConsumerProbe.NO_APPEND_TIME, now)).as("within eviction time plus offset").isTrue();
        assertThat(consumer.received(LatencyStamp.encode(1, 3, now + 500_000, LatencyStamp.NOT_PACED), 0,
                ConsumerProbe.NO_APPEND_TIME, now)).as("ahead, within the offset").isTrue();
        LatencyReport.Counts c = recorder.report().counts();
        assertThat(c.implausible()).isEqualTo(2);
        assertThat(c.received()).isEqualTo(2);
    }

    @Test
    void aLateMessageOfAProducerOfThisProcessStillHoldingItIsBelievedNotImplausible() {
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).evictAfter(Duration.ofSeconds(1))
                .maxClockOffset(Duration.ZERO).build();
        ProducerProbe producer = recorder.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        long t = clock.now;
        byte[] stamp = producer.beginSend(t, LatencyStamp.NOT_PACED);
        producer.acked(stamp, t + 1_000, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 10);
        consumer.free(t);
        assertThat(consumer.received(stamp, 0, ConsumerProbe.NO_APPEND_TIME, t + 15_000_000)).isTrue(); // an outage
        clock.now = t + 16_000_000;
        LatencyReport.Counts c = recorder.report().counts();
        assertThat(c.implausible()).isZero();
        assertThat(c.joined()).isEqualTo(1);
        assertThat(c.lost()).isZero();
    }

    @Test
    void aVersionOneStampIsStillRead() {
        byte[] v2 = LatencyStamp.encode(42, 7, clock.now, LatencyStamp.NOT_PACED);
        byte[] v1 = java.util.Arrays.copyOf(v2, 30);
        v1[0] = 1;
        assertThat(LatencyStamp.isValid(v1)).isTrue();
        byte[] tampered = v2.clone();
        tampered[12] ^= 1;   // one bit of the sequence
        assertThat(LatencyStamp.isValid(tampered)).as("the check field catches it").isFalse();
    }

    /**
     * The format is a contract between processes on different library builds: version-2 stamps written by
     * the first release that had them (bytes captured from it) still pass the check, and are written the same.
     */
    @Test
    void versionTwoStampsOfAnEarlierBuildStillPassTheCheck() {
        java.util.HexFormat hex = java.util.HexFormat.of();
        byte[] unpaced = hex.parseHex("02005eed1234abcd0001000000000000002a00060a241820224000000000cef3dd42");
        byte[] paced = hex.parseHex("0201fffffffffffffff9000001000000000000060a24182022400001e240e274f91b");
        assertThat(LatencyStamp.isValid(unpaced)).isTrue();
        assertThat(LatencyStamp.isValid(paced)).isTrue();
        assertThat(LatencyStamp.encode(0x5eed1234abcd0001L, 42, 1_700_000_000_123_456L, LatencyStamp.NOT_PACED))
                .isEqualTo(unpaced);
        assertThat(LatencyStamp.encode(-7L, 1L << 40, 1_700_000_000_123_456L, 1_700_000_000_000_000L))
                .isEqualTo(paced);
        assertThat(LatencyStamp.intendedMicros(paced)).isEqualTo(1_700_000_000_000_000L);
    }

    /**
     * A consumer that never committed is replaced after the producer's join slots were reused: the
     * second member reads everything again. Every re-read is a duplicate, end-to-end holds one sample per
     * distinct message, nothing is lost.
     */
    @Test
    void aRedeliveryAfterTheSlotWasReusedIsADuplicateNotANewMessage() {
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).joinCapacity(1024)
                .evictAfter(Duration.ofSeconds(60)).build();
        ProducerProbe producer = recorder.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        ConsumerProbe first = recorder.newConsumerProbe("test");
        int messages = 3_000;                                      // three times the join capacity
        byte[][] stamps = new byte[messages][];
        for (int i = 0; i < messages; i++) {
            long t = clock.now;
            stamps[i] = producer.beginSend(t, LatencyStamp.NOT_PACED);
            producer.acked(stamps[i], t + 500, ProducerProbe.ESTIMATE, i % 3, ProducerProbe.NEW_REQUEST, 100);
            first.free(t + 600);
            first.received(stamps[i], i % 3, ConsumerProbe.NO_APPEND_TIME, t + 900);
            first.busy(t + 900);
            clock.now += 500;                                       // 2,000 msg/s
        }
        ConsumerProbe second = recorder.newConsumerProbe("test");  // reads all three partitions again
        int again = 0;
        for (int partition = 0; partition < 3; partition++) {
            second.free(clock.now);
            for (int i = partition; i < messages; i += 3) {
                second.received(stamps[i], partition, ConsumerProbe.NO_APPEND_TIME, clock.now);
                again++;
            }
            second.busy(clock.now);
            clock.now += 1_000;
        }
        LatencyReport report = recorder.report();
        assertThat(report.counts().duplicated()).isEqualTo(again);
        assertThat(report.endToEnd().count()).isEqualTo(messages);
        assertThat(report.counts().lost()).isZero();
        assertThat(report.counts().reordered()).isZero();
        clock.now += 61_000_000;
        assertThat(recorder.report().counts().lost()).isZero();
    }

    /**
     * Under load the consumer can get a message before its producer gets the acknowledgement. When the join
     * table overflows then, the newer message that takes the slot must not take the receipt with it: every
     * message received is recorded once (joined or unjoined), none lost.
     */
    @Test
    void aReceiptWaitingForItsAcknowledgementSurvivesTheOverflowOfTheJoinTable() {
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).joinCapacity(16).build();
        ProducerProbe producer = recorder.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        int messages = 64;
        byte[][] stamps = new byte[messages][];
        for (int i = 0; i < messages; i++) {
            stamps[i] = producer.beginSend(clock.now, LatencyStamp.NOT_PACED); // overflows from message 16 on
            consumer.free(clock.now + 100);
            consumer.received(stamps[i], 0, ConsumerProbe.NO_APPEND_TIME, clock.now + 300);
            consumer.busy(clock.now + 300);
            clock.now += 1_000;
        }
        for (byte[] stamp : stamps) { // the acknowledgements come late, after all the receipts
            producer.acked(stamp, clock.now, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 10);
        }
        LatencyReport report = recorder.report();
        LatencyReport.Counts c = report.counts();
        assertThat(c.received()).isEqualTo(messages);
        assertThat(c.joined() + c.unjoined()).as("joined + unjoined").isEqualTo(messages);
        assertThat(c.unjoined()).as("the receipts whose slots were taken").isEqualTo(messages - 16);
        assertThat(report.endToEnd().count()).as("end-to-end samples").isEqualTo(messages);
        assertThat(c.acked()).isEqualTo(messages);
        assertThat(c.lost()).isZero();
        assertThat(c.duplicated()).isZero();
    }

    @Test
    void acknowledgementsAreCountedAfterOverflowAndAFailureReportedTwiceCountsOnce() {
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).joinCapacity(16).build();
        ProducerProbe producer = recorder.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        byte[][] stamps = new byte[100][];
        for (int i = 0; i < 100; i++) {
            stamps[i] = producer.beginSend(clock.now, LatencyStamp.NOT_PACED);
        }
        for (byte[] stamp : stamps) {                              // 84 of them lost their slot first
            producer.acked(stamp, clock.now + 100, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 10);
        }
        byte[] failing = producer.beginSend(clock.now, LatencyStamp.NOT_PACED);
        producer.failed(failing);                                  // send() threw ...
        producer.failed(failing);                                  // ... and the callback reported it too
        LatencyReport.Counts c = recorder.report().counts();
        assertThat(c.acked()).isEqualTo(100);
        assertThat(recorder.report().producerLatency().orElseThrow().count()).isEqualTo(100);
        assertThat(c.sendErrors()).isEqualTo(1);
    }

    @Test
    void returnedAndAbortedMessagesAreNeverLost() {
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).evictAfter(Duration.ofSeconds(1)).build();
        ProducerProbe producer = recorder.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        byte[] unroutable = producer.beginSend(clock.now, LatencyStamp.NOT_PACED);
        producer.returned(unroutable);
        producer.acked(unroutable, clock.now + 100, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 10);
        producer.transactionBegan();
        for (int i = 0; i < 50; i++) {
            byte[] stamp = producer.beginSend(clock.now, LatencyStamp.NOT_PACED);
            producer.acked(stamp, clock.now + 100, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 10);
        }
        producer.transactionAborted();
        clock.now += 2_000_000;
        LatencyReport.Counts c = recorder.report().counts();
        assertThat(c.returned()).isEqualTo(1);
        assertThat(c.aborted()).isEqualTo(50);
        assertThat(c.lost()).isZero();
        assertThat(c.inFlight()).isZero();
    }

    @Test
    void aTransactionsCommitEndsTheCommitStageOfItsMessages() {
        java.util.List<MessageLatency> messages = new java.util.ArrayList<>();
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).messageListener(messages::add).build();
        ProducerProbe producer = recorder.newProducerProbe("test", true, Duration.ZERO, 16384, 5);
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        consumer.free(clock.now);
        long t = clock.now;
        producer.transactionBegan();
        byte[] stamp = producer.beginSend(t, LatencyStamp.NOT_PACED);
        producer.acked(stamp, t + 2_000, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 10);
        producer.transactionCommitted(t + 300_000);               // the application waited 300 ms
        consumer.received(stamp, 0, ConsumerProbe.NO_APPEND_TIME, t + 301_000);
        MessageLatency m = messages.get(0);
        assertThat(m.boundaryMicros(3)).isEqualTo(t + 300_000);
        assertThat(m.stageMicros(Stage.FETCH)).isEqualTo(1_000);
        assertThat(m.stageMicros(Stage.CATCH_UP)).isZero();
        assertThat(recorder.report().notes()).anyMatch(n -> n.contains("commitTransaction"));
    }

    /**
     * 100,000 producers of other processes, one message each: the memory they take stays within the
     * documented budget (here 1 MiB), messages beyond it are recorded and counted untracked, nothing is thrown.
     */
    @Test
    void producersOfOtherProcessesStayWithinTheMemoryBudget() {
        long budget = 1 << 20;
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).remoteProducerMemory(budget).build();
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        consumer.free(clock.now);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        recorder.report();
        long before = heapAfterGc(memory);
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            byte[] stamp = LatencyStamp.encode(random.nextLong(), 0, clock.now - 1_000, LatencyStamp.NOT_PACED);
            assertThat(consumer.received(stamp, 0, ConsumerProbe.NO_APPEND_TIME, clock.now)).isTrue();
            clock.now += 10;
        }
        long after = heapAfterGc(memory);
        LatencyReport.Counts c = recorder.report().counts();
        int tracked = (int) (budget / io.latencylib.internal.Ledger.REMOTE_BYTES);
        assertThat(c.received()).isEqualTo(100_000);
        assertThat(c.untracked()).isEqualTo(100_000 - tracked);
        assertThat(recorder.report().endToEnd().count()).isEqualTo(100_000);
        System.out.printf("100,000 remote producers: %d tracked, %d untracked, heap after GC %+.1f MiB (budget %.1f MiB)%n",
                tracked, c.untracked(), (after - before) / 1048576.0, budget / 1048576.0);
        assertThat(after - before).as("heap growth after GC").isLessThan(budget + (4L << 20));
    }

    private static long heapAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    record Setting(String input, Consumer<LatencyRecorder.Builder> apply, String message) {
        @Override
        public String toString() {
            return input;
        }
    }

    static Stream<Setting> badSettings() {
        return Stream.of(
                new Setting("joinCapacity(1 << 28)", b -> b.joinCapacity(1 << 28),
                        "joinCapacity must be a power of two from 16 to 16777216 (2^24), but was 268435456"),
                new Setting("joinCapacity(1 << 30)", b -> b.joinCapacity(1 << 30),
                        "joinCapacity must be a power of two from 16 to 16777216 (2^24), but was 1073741824"),
                new Setting("joinCapacity(1000)", b -> b.joinCapacity(1000),
                        "joinCapacity must be a power of two from 16 to 16777216 (2^24), but was 1000"),
                new Setting("joinCapacity(8)", b -> b.joinCapacity(8),
                        "joinCapacity must be a power of two from 16 to 16777216 (2^24), but was 8"),
                new Setting("joinCapacity(-1)", b -> b.joinCapacity(-1),
                        "joinCapacity must be a power of two from 16 to 16777216 (2^24), but was -1"),
                new Setting("evictAfter(1000 years)", b -> b.evictAfter(Duration.ofDays(365_000)),
                        "evictAfter must be from 1ms to 1h, but was 8760000h"),
                new Setting("evictAfter(500 ns)", b -> b.evictAfter(Duration.ofNanos(500)),
                        "evictAfter must be from 1ms to 1h, but was 0.0000005s"),
                new Setting("evictAfter(0)", b -> b.evictAfter(Duration.ZERO),
                        "evictAfter must be from 1ms to 1h, but was 0s"),
                new Setting("evictAfter(-1 s)", b -> b.evictAfter(Duration.ofSeconds(-1)),
                        "evictAfter must be from 1ms to 1h, but was -1s"),
                new Setting("maxClockOffset(2 h)", b -> b.maxClockOffset(Duration.ofHours(2)),
                        "maxClockOffset must be from 0s to 1h, but was 2h"),
                new Setting("remoteProducerMemory(-1)", b -> b.remoteProducerMemory(-1),
                        "remoteProducerMemory must be from 0 to 1073741824 bytes (1 GiB), but was -1"),
                new Setting("remoteProducerMemory(2 GiB)", b -> b.remoteProducerMemory(2L << 30),
                        "remoteProducerMemory must be from 0 to 1073741824 bytes (1 GiB), but was 2147483648"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void aBadSettingIsRefusedAtTheBuilderNamingTheAllowedRange(Setting s) {
        assertThatThrownBy(() -> s.apply().accept(LatencyRecorder.builder()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(s.message());
    }

    @Test
    void theEdgesOfEachRangeAreAccepted() {
        LatencyRecorder.builder().joinCapacity(16).joinCapacity(1 << 24).evictAfter(Duration.ofMillis(1))
                .evictAfter(Duration.ofHours(1)).maxClockOffset(Duration.ZERO).remoteProducerMemory(0)
                .remoteProducerMemory(1L << 30).build();
    }
}
