package io.latencylib.samples.service;

import static io.latencylib.junit.LatencyAssertions.assertThat;

import io.latencylib.junit.LatencySLO;
import io.latencylib.kafka.junit.KafkaSession;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The latency test a service repository would write: the real {@link OrderService} and
 * {@link OrderListener}, on clients the {@link KafkaSession} wrapped, at a steady 500 orders a
 * second for 5 s. After the test body the extension checks the SLO on what this test measured and
 * writes the report to {@code target/latency-reports/} ({@code .txt}, {@code .json}, {@code .html}).
 * The same test on Pulsar and RabbitMQ: {@link PulsarOrderServiceLatencyTest},
 * {@link RabbitOrderServiceLatencyTest}; the README's examples are these classes from
 * {@code @LatencySLO} on ({@code ReadmeExamplesTest} checks it).
 *
 * <p>Nothing here warms up: the extension provisions the run's broker and warms it up (and the
 * client, library and broker code paths) before the first test, and the session's producer is
 * connected and knows the topic before it is handed out. No Docker needed: without
 * {@code -Dlatency.kafka.bootstrap=host:port} the extension starts the embedded broker once for the
 * whole test run.
 */
@LatencySLO("p99 < 50ms")
class OrderServiceLatencyTest {

    private static final int ORDERS = 2_500; // 500 a second for 5 s

    @Test
    void placedOrdersReachTheListenerWithin50msAtP99(KafkaSession kafka) throws Exception {
        String topic = kafka.newTopic(3);
        CountDownLatch handled = new CountDownLatch(ORDERS);
        try (OrderListener listener = new OrderListener(kafka.consumerOf(topic, Map.of(), new StringDeserializer(),
                new StringDeserializer()), order -> handled.countDown()).start();
             OrderService service = new OrderService(kafka.producer(Map.of(), new StringSerializer(),
                     new StringSerializer()), topic)) {

            long next = System.nanoTime();
            for (int i = 0; i < ORDERS; i++) {
                LockSupport.parkNanos(next - System.nanoTime()); // each order when it is due: one every 2 ms
                service.place(new Order("order-" + i, "customer-" + (i % 50), 1_000 + i));
                next += 2_000_000;
            }
            service.flush();

            assertThat(handled.await(30, TimeUnit.SECONDS)).as("every order handled").isTrue();
        }
        assertThat(kafka.report()).hasReceived(ORDERS).hasNoLoss().hasNoDuplicates().hasNoSendErrors();
    }
}
