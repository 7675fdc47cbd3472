package io.latencylib.kafka.fault;

import static io.latencylib.kafka.fault.FaultSupport.await;
import static io.latencylib.kafka.fault.FaultSupport.awaitClock;
import static io.latencylib.kafka.fault.FaultSupport.consumerConfig;
import static io.latencylib.kafka.fault.FaultSupport.newTopic;
import static io.latencylib.kafka.fault.FaultSupport.producerConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.kafka.KafkaLatency;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A consumer group member that never commits ({@code enable.auto.commit=false}) is closed; the next member
 * of the group starts from the earliest offset and receives everything again. Every repeated receipt is a
 * duplicate, each message is recorded once, nothing is lost.
 *
 * <p>The recorders have few join slots, so that a slot is reused within a second or two at 2,000 msg/s and,
 * by the time the second member re-reads a message, holds a later one: a duplicate must be told from a
 * first receipt by its sequence, not by what is left in its slot.
 */
@ExtendWith(FaultSupport.class)
class UncommittedRedeliveryTest {

    private static final int RATE = 2_000;
    private static final Duration EVICT_AFTER = Duration.ofSeconds(5);

    /**
     * The first member reads the whole run (7 s) live, then is closed; 4,096 slots: every slot but the last
     * 4,096 messages' was reused when the second member reads them again. Nothing overflows the table.
     */
    @Test
    @Timeout(90)
    void aMemberClosedWithoutCommittingMakesTheNextOneReadEverythingAgainAndEveryRepeatIsADuplicate()
            throws Exception {
        Outcome o = run(4_096, 14_000, 14_000);
        assertThat(o.truth.duplicates()).as("values received again").isEqualTo(14_000);
        assertThat(o.counts.evicted()).as("join slots taken over before their message was received (overflow: "
                + "the machine stalled for about 2 s)").isZero();
    }

    /**
     * The first member is closed 3 s into a 6 s run at 2,000 msg/s; 1,024 slots (half a second). While the
     * second member joins and re-reads the backlog, more than 1,024 messages may be in flight (on a busy
     * machine they are): the table overflows (counted evicted), and the messages whose slots were taken are
     * joined on their stamps alone. Duplicates, acknowledgements and end-to-end samples are exact either way.
     */
    @Test
    @Timeout(90)
    void aMemberClosedMidRunWhileTheJoinTableOverflowsStillCountsEveryRepeatAsADuplicate() throws Exception {
        Outcome o = run(1_024, 12_000, 6_000);
        assertThat(o.truth.duplicates()).as("values received again").isGreaterThanOrEqualTo(6_000);
    }

    private record Outcome(Truth truth, LatencyReport.Counts counts) {
    }

    /**
     * Sends {@code values} at 2,000 msg/s; the first member of a group reads from the start and is closed once
     * it has {@code closeFirstAfter} receipts; a second member of the same group then reads everything
     * again. Checks the library's counts against the test's own.
     */
    private static Outcome run(int joinCapacity, int values, int closeFirstAfter) throws Exception {
        String topic = newTopic("redelivery", 2);
        LatencyRecorder recorder = LatencyRecorder.builder().joinCapacity(joinCapacity).evictAfter(EVICT_AFTER)
                .build();
        LatencyClock clock = recorder.clock();
        Truth truth = new Truth(values);
        Map<String, Object> config = consumerConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "redelivery-" + topic); // no auto commit, and nobody commits
        AtomicLong lastSendMicros = new AtomicLong();
        AtomicInteger firstMemberReceived = new AtomicInteger();
        AtomicInteger secondMemberReceived = new AtomicInteger();
        AtomicBoolean stopFirst = new AtomicBoolean();
        AtomicBoolean stopSecond = new AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try (Producer<byte[], byte[]> producer = KafkaLatency.wrap(new KafkaProducer<>(producerConfig()), recorder)) {
            Consumer<byte[], byte[]> first = KafkaLatency.wrap(new KafkaConsumer<>(config), recorder);
            first.subscribe(List.of(topic));
            await("the first member assigned both partitions", Duration.ofSeconds(30), () -> {
                first.poll(Duration.ofMillis(50));
                return first.assignment().size() == 2;
            }, () -> "assigned " + first.assignment());
            first.assignment().forEach(first::position); // offsets resolved before the first send

            Future<?> firstMember = threads.submit(() -> {
                try (first) { // closed without a commit: the group has no offsets
                    consume(first, stopFirst, truth, clock, firstMemberReceived);
                }
                return null;
            });
            Future<?> sending = threads.submit(() -> {
                long interval = TimeUnit.SECONDS.toNanos(1) / RATE;
                long next = System.nanoTime();
                for (int v = 0; v < values; v++) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // pacing
                    }
                    producer.send(new ProducerRecord<>(topic, Truth.payload(v, 100)), truth.sent(v));
                    lastSendMicros.set(clock.nowMicros());
                    next += interval;
                }
                producer.flush();
                return null;
            });

            await("the first member received " + closeFirstAfter + " values", Duration.ofSeconds(30),
                    () -> firstMemberReceived.get() >= closeFirstAfter, truth::toString);
            stopFirst.set(true);
            firstMember.get(30, TimeUnit.SECONDS);

            Consumer<byte[], byte[]> second = KafkaLatency.wrap(new KafkaConsumer<>(config), recorder);
            second.subscribe(List.of(topic));
            Future<?> secondMember = threads.submit(() -> {
                try (second) {
                    consume(second, stopSecond, truth, clock, secondMemberReceived);
                }
                return null;
            });
            sending.get(30, TimeUnit.SECONDS);
            await("every send completed", Duration.ofSeconds(30), () -> truth.acked() + truth.failed() == truth.sent(),
                    truth::toString);
            // the second member reads the whole topic: everything the first had, then the rest
            await("the second member received every value", Duration.ofSeconds(30),
                    () -> secondMemberReceived.get() >= values, truth::toString);
            // a message acknowledged and never received is counted lost once it is older than evictAfter
            awaitClock(clock, lastSendMicros.get() + EVICT_AFTER.toNanos() / 1000 + 100_000);
            stopSecond.set(true);
            secondMember.get(30, TimeUnit.SECONDS);

            LatencyReport report = recorder.report();
            LatencyReport.Counts c = report.counts();
            System.out.printf("uncommitted redelivery (%d join slots, first member closed after %d receipts): %s; "
                            + "first member %d receipts, second %d; values received twice or more %d; library: %d "
                            + "sent, %d acked, %d received, %d joined, %d unjoined, %d duplicated, %d lost, %d evicted, "
                            + "%d reordered, %d in flight; end-to-end samples %d%n%s%n", joinCapacity, closeFirstAfter,
                    truth, firstMemberReceived.get(), secondMemberReceived.get(), truth.valuesReceivedTwiceOrMore(),
                    c.sent(), c.acked(), c.received(), c.joined(), c.unjoined(), c.duplicated(), c.lost(), c.evicted(),
                    c.reordered(), c.inFlight(), report.endToEnd().count(), report.toTable());

            assertThat(truth.failed()).as("sends failed (first: %s)", truth.firstFailure()).isZero();
            assertThat(truth.distinct()).as("distinct values received").isEqualTo(values);
            assertThat(c.sent()).as("sent").isEqualTo(truth.sent());
            assertThat(c.acked()).as("acked").isEqualTo(truth.acked());
            assertThat(c.received()).as("received").isEqualTo(truth.receiveEvents());
            assertThat(c.duplicated()).as("duplicated").isEqualTo(truth.duplicates());
            assertThat(report.endToEnd().count()).as("end-to-end samples: one per distinct message")
                    .isEqualTo(truth.distinct());
            assertThat(c.lost()).as("lost").isZero();
            assertThat(c.inFlight()).as("in flight").isZero();
            return new Outcome(truth, c);
        } finally {
            stopFirst.set(true);
            stopSecond.set(true);
            threads.shutdownNow();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).as("test threads ended").isTrue();
        }
    }

    private static void consume(Consumer<byte[], byte[]> consumer, AtomicBoolean stop, Truth truth, LatencyClock clock,
                                AtomicInteger count) {
        while (!stop.get()) {
            var records = consumer.poll(Duration.ofMillis(50));
            long now = clock.nowMicros();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                truth.received(Truth.value(r.value()), now);
                count.incrementAndGet();
            }
        }
    }
}
