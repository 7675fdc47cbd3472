package io.latencylib.samples.service;

import static io.latencylib.junit.LatencyAssertions.assertThat;

import io.latencylib.junit.LatencySLO;
import io.latencylib.rabbitmq.junit.RabbitSession;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * {@link OrderServiceLatencyTest} on RabbitMQ: the real {@link RabbitOrderService} and
 * {@link RabbitOrderListener}, on channels the {@link RabbitSession} wrapped (publisher confirms on),
 * at a steady 500 orders a second for 5 s; the extension checks the SLO after the body and writes the
 * report to {@code target/latency-reports/}. Nothing here warms up (the run's warm-up does). Without
 * {@code -Dlatency.rabbitmq.uri=amqp://...} the extension starts the embedded node (Debian's
 * rabbitmq-server as a child process) once for the test run. The README's RabbitMQ example is this
 * class from {@code @LatencySLO} on.
 */
@LatencySLO("p99 < 500ms")
class RabbitOrderServiceLatencyTest {

    private static final int ORDERS = 2_500; // 500 a second for 5 s

    @Test
    void placedOrdersReachTheListenerWithin500msAtP99(RabbitSession rabbit) throws Exception {
        String queue = rabbit.newQueue();
        CountDownLatch handled = new CountDownLatch(ORDERS);
        new RabbitOrderListener(rabbit.channel(), queue, order -> handled.countDown()).start();
        RabbitOrderService service = new RabbitOrderService(rabbit.channel(), queue);

        long next = System.nanoTime();
        for (int i = 0; i < ORDERS; i++) {
            LockSupport.parkNanos(next - System.nanoTime()); // each order when it is due: one every 2 ms
            service.place(new Order("order-" + i, "customer-" + (i % 50), 1_000 + i));
            next += 2_000_000;
        }
        service.awaitConfirms(Duration.ofSeconds(10));

        assertThat(handled.await(30, TimeUnit.SECONDS)).as("every order handled").isTrue();
        assertThat(rabbit.report()).hasReceived(ORDERS).hasNoLoss().hasNoDuplicates().hasNoSendErrors();
    }
}
