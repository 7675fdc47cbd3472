package io.latencylib.samples.service;

import static io.latencylib.junit.LatencyAssertions.assertThat;

import io.latencylib.junit.LatencySLO;
import io.latencylib.kafka.junit.KafkaSession;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The latency test a service repository would write: the real {@link OrderService} and
 * {@link OrderListener}, on clients the {@link KafkaSession} wrapped, at a steady 500 orders a
 * second for 5 s. After the test body the extension checks the SLO on what this test measured and
 * writes the report to {@code target/latency-reports/} ({@code .txt}, {@code .json}, {@code .html}).
 *
 * <p>Nothing here warms up: the extension provisions the run's broker and warms it up (and the
 * client, library and broker code paths) before the first test, and the session's producer is
 * connected and knows the topic before it is handed out. No Docker needed: without
 * {@code -Dlatency.kafka.bootstrap=host:port} the extension starts the embedded broker once for the
 * whole test run.
 */
@LatencySLO("p99 < 50ms")
class OrderServiceLatencyTest {

    private static final int ORDERS_PER_SECOND = 500;
    private static final int ORDERS = 2_500; // 5 s

    @Test
    void placedOrdersReachTheListenerWithin50msAtP99(KafkaSession kafka) throws Exception {
        String topic = kafka.newTopic(3);
        Arrivals arrivals = new Arrivals();

        try (OrderListener listener = new OrderListener(kafka.consumerOf(topic, Map.of(), new StringDeserializer(),
                new StringDeserializer()), arrivals::arrived).start();
             OrderService service = new OrderService(kafka.producer(Map.of(), new StringSerializer(),
                     new StringSerializer()), topic)) {
            placeOrders(service, ORDERS);
            arrivals.await(ORDERS, Duration.ofSeconds(30));
        }

        assertThat(kafka.report()).hasReceived(ORDERS).hasNoLoss().hasNoDuplicates().hasNoSendErrors();
    }

    /** Places {@code count} orders at {@link #ORDERS_PER_SECOND}, each when it is due (parking, not spinning). */
    private static void placeOrders(OrderService service, int count) {
        long interval = 1_000_000_000L / ORDERS_PER_SECOND;
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long wait;
            while ((wait = next - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            service.place(new Order("order-" + i, "customer-" + (i % 50), 1_000 + i));
            next += interval;
        }
        service.flush();
    }

    /** Counts the orders the listener handled; a test thread can wait for a number of them. */
    private static final class Arrivals {
        private long arrived;

        synchronized void arrived(Order order) {
            arrived++;
            notifyAll();
        }

        synchronized void await(long count, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            long left;
            while (arrived < count && (left = deadline - System.nanoTime()) > 0) {
                wait(Math.max(1, left / 1_000_000));
            }
            if (arrived < count) {
                throw new AssertionError("the listener handled " + arrived + " of " + count + " orders within " + timeout);
            }
        }
    }
}
