package io.latencylib.kafka.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Real traffic through a session's clients, for the tests. */
final class Traffic {

    private Traffic() {
    }

    /** Sends {@code count} messages at 1000/s through a fresh topic and receives them all; see the other overload. */
    static void roundTrip(KafkaSession kafka, int count) throws Exception {
        roundTrip(kafka, count, Duration.ZERO);
    }

    /**
     * Sends {@code count} 100-byte messages at 1000/s on this thread while a consumer polls on
     * another, and returns once all arrived. With {@code consumerDelay} the consumer starts polling
     * only that long after the first send: a consumer busy elsewhere, which the catch-up stage shows.
     */
    static void roundTrip(KafkaSession kafka, int count, Duration consumerDelay) throws Exception {
        String topic = kafka.newTopic();
        Consumer<byte[], byte[]> consumer = kafka.consumerOf(topic);
        Producer<byte[], byte[]> producer = kafka.producer();
        producer.partitionsFor(topic); // metadata now, not in the first message's produce stage
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            long start = System.nanoTime();
            Future<Integer> received = pool.submit(() -> {
                long wait;
                while ((wait = start + consumerDelay.toNanos() - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait); // busy elsewhere: this is the latency under test, not a wait for something
                }
                int n = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (n < count && System.nanoTime() < deadline) {
                    n += consumer.poll(Duration.ofMillis(100)).count();
                }
                return n;
            });
            send(producer, topic, count, 1000);
            assertEquals(count, received.get(60, TimeUnit.SECONDS), "messages received");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Polls {@code consumer} on a thread of its own until {@code count} records arrived (or 60 s
     * passed), handling each in {@code perRecord} (a slow consumer when not zero).
     *
     * @return how many arrived
     */
    static Future<Integer> pollUntil(Consumer<byte[], byte[]> consumer, int count, Duration perRecord) {
        FutureTask<Integer> task = new FutureTask<>(() -> {
            int n = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (n < count && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    n++;
                    long until = System.nanoTime() + perRecord.toNanos();
                    long wait;
                    while (!perRecord.isZero() && (wait = until - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait); // the handler's work: the latency under test
                    }
                }
            }
            return n;
        });
        Thread t = new Thread(task, "test-poller");
        t.setDaemon(true);
        t.start();
        return task;
    }

    /** Sends {@code count} 100-byte messages at {@code perSecond}, parking until each is due, then flushes. */
    static void send(Producer<byte[], byte[]> producer, String topic, int count, int perSecond) {
        send(producer, topic, count, perSecond, i -> { });
    }

    /** Like {@link #send(Producer, String, int, int)}; {@code beforeSend} is called with each index right before its send. */
    static void send(Producer<byte[], byte[]> producer, String topic, int count, int perSecond, IntConsumer beforeSend) {
        byte[] payload = new byte[100];
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long wait;
            while ((wait = next - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            beforeSend.accept(i);
            producer.send(new ProducerRecord<>(topic, payload));
            next += interval;
        }
        producer.flush();
    }
}
