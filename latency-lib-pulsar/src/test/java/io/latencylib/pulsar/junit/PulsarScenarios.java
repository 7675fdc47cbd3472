package io.latencylib.pulsar.junit;

import static io.latencylib.junit.LatencyAssertions.assertThat;

import io.latencylib.junit.LatencySLO;
import io.latencylib.junit.LatencySession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.Producer;
import org.junit.jupiter.api.Test;

/**
 * Test classes written the way a service's latency tests on Pulsar are, run by
 * {@link PulsarSloExtensionTest} through the EngineTestKit so that their outcome (a failure is the
 * expected result for one) can be checked. Static nested and {@link KitOnly}: never run by normal
 * discovery. {@link OwnTraffic} is the example of the README's "In tests".
 */
final class PulsarScenarios {

    /** How long the slow consumer is busy with each message. */
    static final Duration BUSY = Duration.ofMillis(10);

    private PulsarScenarios() {
    }

    @KitOnly
    static class OwnTraffic {
        @LatencySLO("p99 < 50ms")
        @Test
        void ordersReachBilling(PulsarSession pulsar) throws Exception {
            String orders = pulsar.newTopic();
            Consumer<byte[]> billing = pulsar.consumer(orders); // subscribed: misses nothing sent from here on
            Producer<byte[]> shop = pulsar.producer(orders);
            for (int i = 0; i < 500; i++) {
                shop.send(("order-" + i).getBytes(StandardCharsets.UTF_8));
                billing.acknowledge(billing.receive(10, TimeUnit.SECONDS));
            }
        }
    }

    @KitOnly
    static class Paced {
        @LatencySLO(rate = 500, duration = "3s", warmUp = "1s", value = {"commit.p99 < 250ms", "lost == 0"})
        @Test
        void commitKeepsUp(PulsarSession pulsar) {
            assertThat(pulsar.loadReport().orElseThrow()).isDrained().achievedRate().isGreaterThan(450.0);
        }
    }

    @KitOnly
    static class SlowConsumer {
        @LatencySLO("p99 < 50ms")
        @Test
        void billingFallsBehind(PulsarSession pulsar) throws Exception {
            String orders = pulsar.newTopic();
            Consumer<byte[]> billing = pulsar.consumer(orders);
            Producer<byte[]> shop = pulsar.producer(orders);
            for (int i = 0; i < 100; i++) {
                shop.sendAsync(("order-" + i).getBytes(StandardCharsets.UTF_8));
            }
            shop.flush();
            for (int i = 0; i < 100; i++) {
                Message<byte[]> order = billing.receive(10, TimeUnit.SECONDS);
                LockSupport.parkNanos(BUSY.toNanos()); // busy with the order: the next ones wait
                billing.acknowledge(order);
            }
        }
    }

    @KitOnly
    static class AnySession {
        @LatencySLO("lost == 0")
        @Test
        void theOnlySystemOnTheClasspath(LatencySession session) throws Exception {
            PulsarSession pulsar = (PulsarSession) session;
            String topic = pulsar.newTopic(2);
            Consumer<byte[]> consumer = pulsar.consumer(topic);
            pulsar.producer(topic).send(new byte[] {1});
            consumer.acknowledge(consumer.receive(10, TimeUnit.SECONDS));
        }
    }
}
