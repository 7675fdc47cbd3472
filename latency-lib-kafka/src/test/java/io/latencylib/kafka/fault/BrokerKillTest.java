package io.latencylib.kafka.fault;

import static io.latencylib.kafka.fault.FaultSupport.await;
import static io.latencylib.kafka.fault.FaultSupport.awaitClock;
import static io.latencylib.kafka.fault.FaultSupport.broker;
import static io.latencylib.kafka.fault.FaultSupport.consumerConfig;
import static io.latencylib.kafka.fault.FaultSupport.heapAfterGc;
import static io.latencylib.kafka.fault.FaultSupport.mb;
import static io.latencylib.kafka.fault.FaultSupport.ms;
import static io.latencylib.kafka.fault.FaultSupport.newTopic;
import static io.latencylib.kafka.fault.FaultSupport.producerConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LiveCounts;
import io.latencylib.LatencyReport;
import io.latencylib.kafka.KafkaLatency;
import io.latencylib.kafka.KafkaLoadDriver;
import io.latencylib.load.LoadDriver;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.Schedule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
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
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The broker's JVM is killed with SIGKILL mid-run and started again on the same port with the same data,
 * as a crashed broker restarted by its supervisor: nothing acknowledged is lost, the library's counts
 * match the test's own, and the outage shows in the latencies.
 *
 * <p>The kill is sent by the sending thread right after a {@code send()} returned (and before the next
 * one): that message was sent before the kill and cannot have been received before it (the producer
 * lingers 1 ms), so it waits out the whole outage. The outage is measured from the kill to the last
 * connection the restarting broker's port refused: the broker was certainly down over that interval.
 *
 * <p>What the clients do meanwhile is their own: kafka-clients 4 re-bootstraps once no known broker answers,
 * which drops the topic's metadata, so {@code send()} blocks until the broker is back (up to
 * {@code max.block.ms}); the messages due meanwhile are sent at once when it returns.
 */
@ExtendWith(FaultSupport.class)
class BrokerKillTest {

    private static final int RATE = 1_000;
    private static final int PAYLOAD = 100;
    /** The kill comes after 3 s of traffic; sending goes on until 2 s after the broker serves again. */
    private static final int KILL_AT = 3_000;
    private static final int AFTER_RESTART = 2_000;
    private static final Duration EVICT_AFTER = Duration.ofSeconds(5);

    @Test
    @Timeout(90)
    void aBrokerKilledAndRestartedMidRunLosesNothingAcknowledgedAndTheOutageShows() throws Exception {
        KillableKafka broker = broker();
        String topic = newTopic("kill", 2);
        LatencyRecorder recorder = LatencyRecorder.builder().evictAfter(EVICT_AFTER).build();
        LatencyClock clock = recorder.clock();
        Truth truth = new Truth(60_000);
        AtomicInteger stopAt = new AtomicInteger(truth.capacity());
        AtomicLong lastSendMicros = new AtomicLong();
        AtomicLong longestSendNanos = new AtomicLong();
        AtomicLong killMicros = new AtomicLong();
        CountDownLatch killed = new CountDownLatch(1);
        AtomicBoolean stopConsuming = new AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (Producer<byte[], byte[]> producer = KafkaLatency.wrap(new KafkaProducer<>(producerConfig()), recorder);
             Consumer<byte[], byte[]> consumer = KafkaLatency.wrap(new KafkaConsumer<>(consumerConfig()), recorder)) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            partitions.forEach(consumer::position); // offsets resolved before the first send

            Future<?> consuming = threads.submit(() -> {
                while (!stopConsuming.get()) {
                    var records = consumer.poll(Duration.ofMillis(50));
                    long now = clock.nowMicros();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        truth.received(Truth.value(r.value()), now);
                    }
                }
                return null;
            });
            Future<?> sending = threads.submit(() -> {
                long interval = TimeUnit.SECONDS.toNanos(1) / RATE;
                long next = System.nanoTime();
                for (int v = 0; v < stopAt.get(); v++) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // pacing
                    }
                    long called = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, Truth.payload(v, PAYLOAD)), truth.sent(v));
                    longestSendNanos.accumulateAndGet(System.nanoTime() - called, Math::max);
                    lastSendMicros.set(clock.nowMicros());
                    if (v == KILL_AT) {
                        killMicros.set(clock.nowMicros());
                        broker.kill();
                        killed.countDown();
                    }
                    next += interval;
                }
                producer.flush();
                return null;
            });

            await("2,000 values acknowledged before the kill", Duration.ofSeconds(30), () -> truth.acked() >= 2_000,
                    truth::toString);
            long heapBefore = heapAfterGc();
            assertThat(killed.await(30, TimeUnit.SECONDS)).as("the kill was sent").isTrue();
            KillableKafka.Restart restart = broker.restart(clock);
            stopAt.set((int) Math.min(truth.capacity(), truth.sent() + AFTER_RESTART));
            sending.get(60, TimeUnit.SECONDS);

            await("every send completed", Duration.ofSeconds(60), () -> truth.acked() + truth.failed() == truth.sent(),
                    truth::toString);
            await("every acknowledged value received", Duration.ofSeconds(30), () -> truth.ackedNotReceived() == 0,
                    truth::toString);
            // a message acknowledged and never received is counted lost once it is older than evictAfter
            awaitClock(clock, lastSendMicros.get() + EVICT_AFTER.toNanos() / 1000 + 100_000);
            stopConsuming.set(true);
            consuming.get(10, TimeUnit.SECONDS);
            LatencyReport report = recorder.report();
            long heapAfter = heapAfterGc(); // clients, recorder and report still in use

            LatencyReport.Counts c = report.counts();
            Duration outage = Duration.ofNanos((restart.lastRefusedMicros() - killMicros.get()) * 1000);
            Duration e2eMax = report.endToEnd().max();
            System.out.printf("broker kill: %s; outage %.0f ms (kill -> last refused connection), port bound "
                            + "after %.0f ms, serving after %.0f ms; longest send() call %.0f ms; library: %d sent, %d acked, %d send errors, "
                            + "%d received, %d joined, %d duplicated, %d lost, %d evicted, %d in flight; end-to-end max "
                            + "%.0f ms, p50 %.1f ms; heap after GC %s before, %s after%n%s%n",
                    truth, ms(outage), (restart.acceptingMicros() - killMicros.get()) / 1e3,
                    (restart.readyMicros() - killMicros.get()) / 1e3, longestSendNanos.get() / 1e6,
                    c.sent(), c.acked(), c.sendErrors(), c.received(), c.joined(), c.duplicated(), c.lost(),
                    c.evicted(), c.inFlight(), ms(e2eMax), ms(report.endToEnd().p50()), mb(heapBefore), mb(heapAfter),
                    report.toTable());

            assertThat(truth.failed()).as("sends failed (first: %s)", truth.firstFailure()).isZero();
            assertThat(truth.ackedNotReceived()).as("acknowledged values never received").isZero();
            assertThat(truth.firstReceiveMicros(KILL_AT)).as("the value sent right before the kill came after it")
                    .isGreaterThan(killMicros.get());
            assertThat(c.sent()).as("sent").isEqualTo(truth.sent());
            assertThat(c.acked()).as("acked").isEqualTo(truth.acked());
            assertThat(c.sendErrors()).as("send errors").isEqualTo(truth.failed());
            assertThat(c.received()).as("received").isEqualTo(truth.receiveEvents());
            assertThat(c.duplicated()).as("duplicated").isEqualTo(truth.duplicates());
            assertThat(c.joined()).as("joined").isEqualTo(truth.distinct());
            assertThat(report.endToEnd().count()).as("end-to-end samples").isEqualTo(truth.distinct());
            assertThat(c.lost()).as("lost").isZero();
            assertThat(c.inFlight()).as("in flight").isZero();
            assertThat(report.mergedStages()).as("stages merged (LogAppendTime lost in the restart?)").isEmpty();
            assertThat(outage).as("the outage").isGreaterThan(Duration.ofSeconds(1));
            assertThat(e2eMax).as("end-to-end max against the outage").isGreaterThanOrEqualTo(outage);
            // wide: a leak of a few hundred bytes per message would not show, one of the kind that holds
            // every message (a map of all sequences) would; client buffers are pooled before the first reading
            assertThat(heapAfter - heapBefore).as("heap growth after GC").isLessThan(64L << 20);
        } finally {
            stopConsuming.set(true);
            threads.shutdownNow();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).as("test threads ended").isTrue();
        }
    }

    @Test
    @Timeout(90)
    void aPacedRunShowsTheOutageInCorrectedLatencyAndLateness() throws Exception {
        KillableKafka broker = broker();
        LatencyClock clock = LatencyClock.system();
        // a 1 MiB buffer fills within about a second of the outage: then send() blocks, as it would with a
        // production-sized buffer and a longer outage, and the messages due meanwhile are sent late
        KafkaLoadDriver kafka = KafkaLoadDriver.create(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 1 << 20,
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 250,
                ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 250), Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 250,
                ConsumerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 250), 1);
        KillingDriver killing = new KillingDriver(kafka, 2_000, () -> broker.kill(), clock);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<LoadReport> running = thread.submit(() -> LoadRun.builder(killing)
                    .destination(newTopicName()).messageSize(1024)
                    .schedule(Schedule.constant(1_000, Duration.ofSeconds(8)))
                    .progressListener(p -> { })
                    .run());
            assertThat(killing.killed.await(30, TimeUnit.SECONDS)).as("the kill was sent").isTrue();
            KillableKafka.Restart restart = broker.restart(clock);
            LoadReport load = running.get(80, TimeUnit.SECONDS);

            Duration outage = Duration.ofNanos((restart.lastRefusedMicros() - killing.killMicros) * 1000);
            LatencyReport.Counts c = load.report().counts();
            Duration lateness = load.lateness().orElseThrow().max();
            System.out.printf("paced run with a broker kill: outage %.0f ms; %d sent, %d received, %d lost, "
                            + "%d duplicated; corrected max %.0f ms, uncorrected max %.0f ms, lateness max %.0f ms, "
                            + "%d late messages%n%s%n", ms(outage), load.sent(), c.received(), c.lost(), c.duplicated(),
                    ms(load.endToEndCorrected().max()), ms(load.endToEndUncorrected().max()), ms(lateness),
                    load.lateMessages(), load.toTable());

            assertThat(load.sent()).isEqualTo(8_000);
            assertThat(load.drained()).as("drained").isTrue();
            assertThat(c.received() - c.duplicated()).as("distinct received").isEqualTo(load.sent());
            assertThat(c.lost()).isZero();
            assertThat(outage).isGreaterThan(Duration.ofSeconds(1));
            assertThat(load.endToEndCorrected().max()).as("corrected max against the outage")
                    .isGreaterThanOrEqualTo(outage);
            // send() blocked from about a second into the outage until the buffer drained after it
            assertThat(lateness).as("lateness max against the outage").isGreaterThan(outage.dividedBy(2));
            assertThat(load.lateMessages()).as("messages sent late").isGreaterThan(1_000);
        } finally {
            thread.shutdownNow();
            assertThat(thread.awaitTermination(30, TimeUnit.SECONDS)).as("load run ended").isTrue();
        }
    }

    private static String newTopicName() {
        return "paced-kill-" + System.nanoTime();
    }

    /**
     * Kills the broker right after the {@code killAt}-th send returned, from the sending thread; its
     * {@link #flush()} returns once every message sent was received at least once.
     */
    private static final class KillingDriver implements LoadDriver {
        private final LoadDriver delegate;
        private final int killAt;
        private final Runnable kill;
        private final LatencyClock clock;
        final CountDownLatch killed = new CountDownLatch(1);
        volatile long killMicros;
        private volatile LatencyRecorder recorder;

        KillingDriver(LoadDriver delegate, int killAt, Runnable kill, LatencyClock clock) {
            this.delegate = delegate;
            this.killAt = killAt;
            this.kill = kill;
            this.clock = clock;
        }

        @Override
        public String system() {
            return delegate.system();
        }

        @Override
        public void open(String destination, int producers, int consumers, LatencyRecorder recorder) {
            this.recorder = recorder;
            delegate.open(destination, producers, consumers, recorder);
        }

        @Override
        public Sender sender(int index) {
            Sender sender = delegate.sender(index);
            int[] count = {0};
            return (key, payload, intendedMicros) -> {
                sender.send(key, payload, intendedMicros);
                if (++count[0] == killAt) {
                    killMicros = clock.nowMicros();
                    kill.run();
                    killed.countDown();
                }
            };
        }

        @Override
        public void flush() {
            delegate.flush();
            // LoadRun drains until receivedCount() >= sentCount(), and receipts include duplicates: when the
            // driver's auto-committing consumers rejoin after the restart they may read again from the last
            // committed offset (1,915 duplicates in one run), and the run would end with messages still on
            // their way. Wait here for every message sent to be received once.
            LiveCounts c = recorder.counts();
            await("every message sent received once", Duration.ofSeconds(60),
                    () -> c.received() - c.duplicated() >= c.sent(),
                    () -> c.sent() + " sent, " + c.received() + " received, " + c.duplicated() + " duplicated");
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
