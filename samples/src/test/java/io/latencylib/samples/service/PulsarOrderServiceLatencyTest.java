package io.latencylib.samples.service;

import static io.latencylib.junit.LatencyAssertions.assertThat;

import io.latencylib.junit.LatencySLO;
import io.latencylib.pulsar.junit.PulsarSession;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.Test;

/**
 * {@link OrderServiceLatencyTest} on Pulsar: the real {@link PulsarOrderService} and
 * {@link PulsarOrderListener}, on a producer and a listener the {@link PulsarSession} wrapped, at a
 * steady 500 orders a second for 5 s; the extension checks the SLO after the body and writes the
 * report to {@code target/latency-reports/}. Nothing here warms up (the run's warm-up and the session's
 * ready clients do). Without {@code -Dlatency.pulsar.url=pulsar://host:6650} the extension starts the
 * embedded standalone once for the test run. The README's Pulsar example is this class from {@code @LatencySLO} on.
 */
@LatencySLO("p99 < 500ms")
class PulsarOrderServiceLatencyTest {

    private static final int ORDERS = 2_500; // 500 a second for 5 s

    @Test
    void placedOrdersReachTheListenerWithin500msAtP99(PulsarSession pulsar) throws Exception {
        String topic = pulsar.newTopic();
        CountDownLatch handled = new CountDownLatch(ORDERS);
        pulsar.client().newConsumer(Schema.STRING).topic(topic).subscriptionName("billing")
                .messageListener(pulsar.wrap(new PulsarOrderListener(order -> handled.countDown()))).subscribe();
        PulsarOrderService service = new PulsarOrderService(pulsar.producer(topic, Schema.STRING));

        long next = System.nanoTime();
        for (int i = 0; i < ORDERS; i++) {
            LockSupport.parkNanos(next - System.nanoTime()); // each order when it is due: one every 2 ms
            service.place(new Order("order-" + i, "customer-" + (i % 50), 1_000 + i));
            next += 2_000_000;
        }
        service.flush();

        assertThat(handled.await(30, TimeUnit.SECONDS)).as("every order handled").isTrue();
        assertThat(pulsar.report()).hasReceived(ORDERS).hasNoLoss().hasNoDuplicates().hasNoSendErrors();
    }
}
