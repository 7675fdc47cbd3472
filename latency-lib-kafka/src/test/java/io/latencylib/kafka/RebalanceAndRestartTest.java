package io.latencylib.kafka;

import static io.latencylib.kafka.KafkaTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Loss, duplicate and reordering counts raise no false alarm when partitions move or producers restart. */
@ExtendWith(KafkaTestSupport.class)
class RebalanceAndRestartTest {

    @Test
    void aConsumerLeavingTheGroupMidRunCausesNoFalseLossOrReordering() throws Exception {
        String topic = newTopic("rebalance", 4, false);
        LatencyRecorder recorder = LatencyRecorder.create();
        Map<String, Object> config = consumerConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "rebalance-" + topic);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        AtomicBoolean stopA = new AtomicBoolean();
        AtomicBoolean stopB = new AtomicBoolean();
        CompletableFuture<Void> bothAssigned = new CompletableFuture<>();
        Consumer<byte[], byte[]> a = KafkaLatency.wrap(new KafkaConsumer<>(config), recorder);
        Consumer<byte[], byte[]> b = KafkaLatency.wrap(new KafkaConsumer<>(config), recorder);
        try {
            Future<?> runA = pool.submit(() -> pollUntil(a, topic, stopA, bothAssigned, b));
            Future<?> runB = pool.submit(() -> pollUntil(b, topic, stopB, bothAssigned, a));
            bothAssigned.get(60, TimeUnit.SECONDS);
            try (Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(producerConfig("all", 1)), recorder)) {
                sendPaced(producer, topic, 1000, 1000, 200);
                stopB.set(true);               // B leaves the group: its partitions move to A
                runB.get(30, TimeUnit.SECONDS);
                sendPaced(producer, topic, 1000, 1000, 200);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (recorder.report().counts().joined() < 2000 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(10_000_000); // re-check the condition every 10 ms until the deadline
            }
            stopA.set(true);
            runA.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        LatencyReport.Counts c = recorder.report().counts();
        assertThat(c.joined()).isEqualTo(2000);
        assertThat(c.received() - c.duplicated()).isEqualTo(2000);
        assertThat(c.lost()).isZero();
        assertThat(c.reordered()).isZero();
        assertThat(c.inFlight()).isZero();
    }

    @Test
    void aRestartedProducerIsANewProducerNotAReorderedOne() throws Exception {
        String topic = newTopic("restart", 1, false);
        LatencyRecorder recorder = LatencyRecorder.create();
        Consumer<byte[], byte[]> consumer = KafkaLatency.wrap(rawConsumer(consumerConfig(), topic, 1), recorder);
        try (var background = new BackgroundConsumer(consumer, 600, Duration.ofSeconds(30), r -> { }).awaitPolling()) {
            for (int run = 0; run < 3; run++) {   // each wrap draws a new producer id; sequences restart at 0
                try (Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(producerConfig("all", 1)), recorder)) {
                    sendPaced(producer, topic, 200, 2000, 100);
                }
            }
            assertThat(background.await(Duration.ofSeconds(30))).hasSize(600);
        }
        LatencyReport.Counts c = recorder.report().counts();
        assertThat(c.joined()).isEqualTo(600);
        assertThat(c.duplicated()).isZero();
        assertThat(c.reordered()).isZero();
        assertThat(c.lost()).isZero();
    }

    private static void pollUntil(Consumer<byte[], byte[]> consumer, String topic, AtomicBoolean stop,
                                  CompletableFuture<Void> bothAssigned, Consumer<byte[], byte[]> other) {
        try (consumer) {
            consumer.subscribe(List.of(topic));
            while (!stop.get()) {
                consumer.poll(Duration.ofMillis(50));
                if (consumer.assignment().size() == 2) {
                    bothAssigned.complete(null); // 4 partitions split 2 and 2: both members joined
                }
            }
        }
    }
}
