package io.latencylib.rabbitmq.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import io.latencylib.junit.LatencySLO;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Test classes run only by {@link RabbitSloExtensionTest} through the EngineTestKit, each with a known outcome. */
final class Scenarios {

    private Scenarios() {
    }

    /** The service-style own-traffic test of {@link OrderEventsLatencyTest}, with a consumer that cannot keep up. */
    @KitOnly
    static class SlowConsumer {
        @LatencySLO("p99 < 50ms")
        @Test
        void ordersReachABusyListener(RabbitSession rabbit) throws Exception {
            traffic(rabbit, 300, 200, 10); // 200 orders/s to a listener that takes 10 ms each: 100/s
        }
    }

    /** An objective on commit, which RabbitMQ 3.10 does not report on its own. */
    @KitOnly
    static class OnAMergedStage {
        @LatencySLO("commit.p99 < 50ms")
        @Test
        void roundTrip(RabbitSession rabbit) throws Exception {
            traffic(rabbit, 100, 500, 0);
        }
    }

    /** A round trip that meets a loose objective; for the provisioning paths. */
    @KitOnly
    static class Passing {
        @LatencySLO({"p99 < 5s", "lost == 0"})
        @Test
        void roundTrip(RabbitSession rabbit) throws Exception {
            traffic(rabbit, 100, 500, 0);
        }
    }

    /** {@code count} messages at {@code rate}/s through a fresh queue to a consumer taking {@code handlingMs} each. */
    static void traffic(RabbitSession rabbit, int count, int rate, int handlingMs) throws Exception {
        String queue = rabbit.newQueue();
        CountDownLatch handled = new CountDownLatch(count);
        Channel consuming = rabbit.channel();
        consuming.basicQos(1);
        consuming.basicConsume(queue, false, (tag, delivery) -> {
            if (handlingMs > 0) {
                LockSupport.parkNanos(handlingMs * 1_000_000L); // the listener's work
            }
            consuming.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
            handled.countDown();
        }, tag -> { });
        Channel publishing = rabbit.channel();
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            LockSupport.parkNanos(next - System.nanoTime());
            publishing.basicPublish("", queue, null, new byte[128]);
            next += 1_000_000_000L / rate;
        }
        publishing.waitForConfirmsOrDie(30_000);
        assertThat(handled.await(60, TimeUnit.SECONDS)).isTrue();
    }
}
