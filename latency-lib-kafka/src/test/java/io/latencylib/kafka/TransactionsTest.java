package io.latencylib.kafka;

import static io.latencylib.kafka.KafkaTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Transactions on the real broker: a read_committed consumer gets a transaction's messages once it
 * commits, so the wait for commitTransaction is commit, not fetch; aborted messages are counted
 * aborted, never lost; everything else of the transactional API passes through unchanged.
 */
@ExtendWith(KafkaTestSupport.class)
class TransactionsTest {

    private static final AtomicInteger IDS = new AtomicInteger();

    /** The first transactions of a JVM are slower everywhere (coordinator set-up, JIT): keep them out of the comparison. */
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() throws Exception {
        run(Duration.ZERO);
    }

    @Test
    void theWaitForCommitTransactionShowsInCommitNotFetch() throws Exception {
        LatencyReport baseline = run(Duration.ZERO);
        LatencyReport waiting = run(Duration.ofMillis(300));
        System.out.printf("transactions, 300 ms before commitTransaction: commit p50 %.3f -> %.3f ms,"
                        + " fetch p50 %.3f -> %.3f ms, catch-up p50 %.3f -> %.3f ms%n",
                ms(baseline, Stage.COMMIT), ms(waiting, Stage.COMMIT), ms(baseline, Stage.FETCH), ms(waiting, Stage.FETCH),
                ms(baseline, Stage.CATCH_UP), ms(waiting, Stage.CATCH_UP));

        // a message waits the 300 ms and the rest of its transaction's sends (up to 45 ms) for the commit
        assertThat(ms(waiting, Stage.COMMIT) - ms(baseline, Stage.COMMIT)).isBetween(200.0, 450.0);
        assertThat(ms(waiting, Stage.FETCH)).isLessThan(50.0);
        assertThat(ms(waiting, Stage.FETCH)).isCloseTo(ms(baseline, Stage.FETCH), org.assertj.core.data.Offset.offset(30.0));
        assertThat(ms(waiting, Stage.CATCH_UP)).isLessThan(10.0);
    }

    /** 10 transactions of 10 messages sent 5 ms apart, each committed {@code beforeCommit} after its last send. */
    private static LatencyReport run(Duration beforeCommit) throws Exception {
        String topic = newTopic("txn", 1, false);
        LatencyRecorder recorder = LatencyRecorder.create();
        Map<String, Object> consumerConfig = consumerConfig();
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var consumer = KafkaLatency.wrap(rawConsumer(consumerConfig, topic, 1), recorder);
        try (var background = new BackgroundConsumer(consumer, 100, Duration.ofSeconds(60), r -> { }).awaitPolling();
             Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(transactional()), recorder)) {
            producer.initTransactions();
            for (int t = 0; t < 10; t++) {
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(topic, new byte[1024]));
                    LockSupport.parkNanos(Duration.ofMillis(5).toNanos()); // the application's pace
                }
                LockSupport.parkNanos(beforeCommit.toNanos()); // the application works before it commits
                producer.commitTransaction();
            }
            assertThat(background.await(Duration.ofSeconds(60))).hasSize(100);
        }
        LatencyReport report = recorder.report();
        System.out.println("transactional, " + beforeCommit.toMillis() + " ms before commitTransaction\n"
                + report.toTable());
        assertThat(report.counts().joined()).isEqualTo(100);
        assertThat(report.mergedStages()).isEmpty();
        return report;
    }

    @Test
    void abortedTransactionsAreCountedAbortedNeverLost() throws Exception {
        String topic = newTopic("txn-aborted", 1, false);
        String unread = newTopic("txn-unread", 1, false);
        LatencyRecorder recorder = LatencyRecorder.builder().evictAfter(Duration.ofSeconds(2)).build();
        Map<String, Object> consumerConfig = consumerConfig();
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var consumer = KafkaLatency.wrap(rawConsumer(consumerConfig, topic, 1), recorder);
        List<?> got;
        try (var background = new BackgroundConsumer(consumer, 1, Duration.ofSeconds(60), r -> { }).awaitPolling();
             Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(transactional()), recorder);
             Producer<byte[], byte[]> control = KafkaLatency.wrap(rawProducer(producerConfig("all", 0)), recorder)) {
            producer.initTransactions();
            int acked = 0;
            for (int t = 0; t < 10; t++) {
                producer.beginTransaction();
                List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    sent.add(producer.send(new ProducerRecord<>(topic, ("aborted-" + t + "-" + i).getBytes())));
                }
                producer.flush();
                for (var f : sent) {
                    f.get(10, TimeUnit.SECONDS);
                    acked++;
                }
                producer.abortTransaction();
            }
            assertThat(acked).as("truth: every aborted message was written").isEqualTo(500);
            // one committed message after them: when the consumer has it, it has read past all the aborted ones
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "committed".getBytes()));
            producer.commitTransaction();
            got = background.await(Duration.ofSeconds(60));
            // the control: acknowledged, never read, so lost once the eviction time has passed
            control.send(new ProducerRecord<>(unread, "never read".getBytes())).get(10, TimeUnit.SECONDS);
        }
        assertThat(got).hasSize(1);
        // eviction runs in report(): await the control's loss, proof that the eviction time passed for all
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        LatencyReport report = recorder.report();
        while (report.counts().lost() == 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            report = recorder.report();
        }
        System.out.println("10 aborted transactions of 50 messages, 1 committed, 1 control never read\n"
                + report.toTable());
        var counts = report.counts();
        assertThat(counts.lost()).as("only the control is lost").isEqualTo(1);
        assertThat(counts.aborted()).isEqualTo(500);
        assertThat(counts.joined()).isEqualTo(1);
        assertThat(counts.received()).isEqualTo(1);
        assertThat(counts.inFlight()).isZero();
    }

    @Test
    void theRestOfTheTransactionalApiPassesThroughUnchanged() throws Exception {
        String source = newTopic("txn-source", 1, false);
        String sink = newTopic("txn-sink", 1, false);
        try (KafkaProducer<byte[], byte[]> plain = rawProducer(producerConfig("all", 0))) {
            for (int i = 0; i < 3; i++) {
                plain.send(new ProducerRecord<>(source, ("in-" + i).getBytes())).get(10, TimeUnit.SECONDS);
            }
        }
        LatencyRecorder recorder = LatencyRecorder.create();
        String group = "txn-group-" + IDS.incrementAndGet();
        Map<String, Object> consumerConfig = consumerConfig();
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        Map<String, Object> producerConfig = transactional();
        // a misuse fails as without the wrapper: same exception type and message
        Throwable raw;
        try (KafkaProducer<byte[], byte[]> unwrapped = rawProducer(producerConfig)) {
            unwrapped.initTransactions();
            raw = catchThrowable(unwrapped::commitTransaction);
        }
        try (var consumer = KafkaLatency.wrap(rawConsumer(consumerConfig, source, 1), recorder);
             Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(producerConfig), recorder)) {
            producer.initTransactions();
            assertThat(catchThrowable(producer::commitTransaction)).isNotNull()
                    .isInstanceOf(raw.getClass()).hasMessage(raw.getMessage());

            // consume-transform-produce: the offsets go into the transaction through the wrapper
            int read = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            producer.beginTransaction();
            while (read < 3 && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (var r : records) {
                    producer.send(new ProducerRecord<>(sink, r.value()));
                    read++;
                }
            }
            assertThat(read).isEqualTo(3);
            producer.sendOffsetsToTransaction(Map.of(new TopicPartition(source, 0), new OffsetAndMetadata(3)),
                    consumer.groupMetadata());
            producer.commitTransaction();
        }
        // truth from the broker: the group's offset was committed with the transaction
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        assertThat(committed).containsEntry(new TopicPartition(source, 0), new OffsetAndMetadata(3));
        // and the sink has the three messages, committed
        Map<String, Object> readCommitted = consumerConfig();
        readCommitted.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        int inSink = 0;
        try (KafkaConsumer<byte[], byte[]> check = rawConsumer(readCommitted, sink, 1)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (inSink < 3 && System.nanoTime() < deadline) {
                inSink += check.poll(Duration.ofMillis(100)).count();
            }
        }
        assertThat(inSink).isEqualTo(3);
    }

    private static Map<String, Object> transactional() {
        Map<String, Object> config = producerConfig("all", 0);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "latency-txn-" + IDS.incrementAndGet());
        return config;
    }

    private static double ms(LatencyReport r, Stage stage) {
        return r.stage(stage).orElseThrow().percentile(50).toNanos() / 1e6;
    }
}
