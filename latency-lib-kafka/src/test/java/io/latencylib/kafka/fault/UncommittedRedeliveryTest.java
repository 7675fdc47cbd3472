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
 * A consumer group member that never commits is closed; the next member of the group starts from the
 * earliest offset and receives everything again. Every second receipt is a duplicate, each message is
 * recorded once, nothing is lost.
 *
 * <p>The recorder has 4,096 join slots per producer: at 2,000 msg/s a slot is reused every 2 s, so by the
 * time the second member re-reads a message its slot holds a later one (for all but the last 4,096). A
 * duplicate must be told from a first receipt by its sequence, not by what is left in its slot. The first
 * member is closed once the run is over: closed mid-run, the second member's rebalance and re-reading of the
 * backlog would keep more messages in flight than so small a table holds, and the overflow would be counted
 * (evicted, and their acknowledgements not counted) instead of what this test is about.
 */
@ExtendWith(FaultSupport.class)
class UncommittedRedeliveryTest {

    private static final int RATE = 2_000;
    private static final int VALUES = 14_000; // 7 s
    private static final int JOIN_CAPACITY = 4_096;
    private static final Duration EVICT_AFTER = Duration.ofSeconds(5);

    @Test
    @Timeout(90)
    void aMemberClosedWithoutCommittingMakesTheNextOneReadEverythingAgainAndEveryRepeatIsADuplicate()
            throws Exception {
        String topic = newTopic("redelivery", 2);
        String group = "redelivery-" + topic;
        LatencyRecorder recorder = LatencyRecorder.builder().joinCapacity(JOIN_CAPACITY).evictAfter(EVICT_AFTER)
                .build();
        LatencyClock clock = recorder.clock();
        Truth truth = new Truth(VALUES);
        Map<String, Object> config = consumerConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group); // enable.auto.commit=false, and nobody commits
        AtomicLong lastSendMicros = new AtomicLong();
        AtomicInteger firstMemberReceived = new AtomicInteger();
        AtomicInteger secondMemberReceived = new AtomicInteger();
        AtomicBoolean stopFirst = new AtomicBoolean();
        AtomicBoolean stopSecond = new AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(2);
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
            long interval = TimeUnit.SECONDS.toNanos(1) / RATE;
            long next = System.nanoTime();
            for (int v = 0; v < VALUES; v++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // pacing
                }
                producer.send(new ProducerRecord<>(topic, Truth.payload(v, 100)), truth.sent(v));
                lastSendMicros.set(clock.nowMicros());
                next += interval;
            }
            producer.flush();
            await("every send completed", Duration.ofSeconds(30), () -> truth.acked() + truth.failed() == truth.sent(),
                    truth::toString);
            await("the first member received every value", Duration.ofSeconds(30),
                    () -> firstMemberReceived.get() >= VALUES, truth::toString);
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
            await("the second member received every value again", Duration.ofSeconds(30),
                    () -> secondMemberReceived.get() >= VALUES, truth::toString);
            // a message acknowledged and never received is counted lost once it is older than evictAfter
            awaitClock(clock, lastSendMicros.get() + EVICT_AFTER.toNanos() / 1000 + 100_000);
            stopSecond.set(true);
            secondMember.get(30, TimeUnit.SECONDS);

            LatencyReport report = recorder.report();
            LatencyReport.Counts c = report.counts();
            System.out.printf("uncommitted redelivery: %s; first member %d receipts, second %d; values received "
                            + "twice or more %d; library: %d sent, %d acked, %d received, %d joined, %d unjoined, "
                            + "%d duplicated, %d lost, %d evicted, %d reordered, %d in flight; end-to-end samples %d%n"
                            + "%s%n", truth, firstMemberReceived.get(), secondMemberReceived.get(),
                    truth.valuesReceivedTwiceOrMore(), c.sent(), c.acked(), c.received(), c.joined(), c.unjoined(),
                    c.duplicated(), c.lost(), c.evicted(), c.reordered(), c.inFlight(), report.endToEnd().count(),
                    report.toTable());

            assertThat(truth.failed()).as("sends failed (first: %s)", truth.firstFailure()).isZero();
            assertThat(truth.distinct()).as("distinct values received").isEqualTo(VALUES);
            assertThat(truth.duplicates()).as("values received again").isEqualTo(VALUES);
            assertThat(c.evicted()).as("join slots taken over before their message was received (overflow: the "
                    + "machine stalled for about %d ms; raise JOIN_CAPACITY)", JOIN_CAPACITY * 1000L / RATE).isZero();
            assertThat(c.sent()).as("sent").isEqualTo(truth.sent());
            assertThat(c.acked()).as("acked").isEqualTo(truth.acked());
            assertThat(c.received()).as("received").isEqualTo(truth.receiveEvents());
            assertThat(c.duplicated()).as("duplicated").isEqualTo(truth.duplicates());
            assertThat(report.endToEnd().count()).as("end-to-end samples: one per distinct message")
                    .isEqualTo(truth.distinct());
            assertThat(c.lost()).as("lost").isZero();
            assertThat(c.inFlight()).as("in flight").isZero();
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
