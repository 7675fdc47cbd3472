package io.latencylib.rabbitmq.junit;

import static io.latencylib.junit.LatencyAssertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.MessageProperties;
import io.latencylib.junit.LatencySLO;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A service's latency tests on RabbitMQ, written as a user writes them (the example of the README's
 * "In tests"): the service's own publisher and listener on channels of the session, and paced load
 * driven by the extension. Run by surefire like any test, and through the EngineTestKit by
 * {@link RabbitSloExtensionTest}.
 */
class OrderEventsLatencyTest {

    @LatencySLO("p99 < 500ms")
    @Test
    void orderEventsReachTheListenerQuickly(RabbitSession rabbit) throws Exception {
        String queue = rabbit.newQueue();
        OrderListener listener = new OrderListener(rabbit.channel(), queue, 1_000);
        OrderPublisher publisher = new OrderPublisher(rabbit.channel(), queue);
        long next = System.nanoTime();
        for (int i = 0; i < 1_000; i++) {                          // 500 orders a second for 2 s
            LockSupport.parkNanos(next - System.nanoTime());
            publisher.publish("order-" + i);
            next += 2_000_000;
        }
        publisher.awaitConfirms();
        assertThat(listener.awaitAll(30)).as("every order handled").isTrue();
    }

    @LatencySLO(rate = 1_000, duration = "5s", value = {"fetch.p99 < 500ms", "lost == 0"})
    @Test
    void theBrokerKeepsUpWithAThousandMessagesASecond(RabbitSession rabbit) {
        assertThat(rabbit.loadReport().orElseThrow()).isDrained().achievedRate().isGreaterThan(950.0);
    }

    /** The service's publisher: persistent order events to a queue, publisher confirms on the channel. */
    static final class OrderPublisher {
        private final Channel channel;
        private final String queue;

        OrderPublisher(Channel channel, String queue) {
            this.channel = channel;
            this.queue = queue;
        }

        void publish(String order) throws IOException {
            channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, order.getBytes(StandardCharsets.UTF_8));
        }

        void awaitConfirms() throws IOException, InterruptedException, TimeoutException {
            channel.waitForConfirmsOrDie(10_000);
        }
    }

    /** The service's listener: handles each order event, then acknowledges it. */
    static final class OrderListener {
        private final CountDownLatch handled;

        OrderListener(Channel channel, String queue, int expected) throws IOException {
            handled = new CountDownLatch(expected);
            channel.basicConsume(queue, false, (tag, delivery) -> {
                String order = new String(delivery.getBody(), StandardCharsets.UTF_8); // the service's work
                channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                handled.countDown();
            }, tag -> { });
        }

        boolean awaitAll(int seconds) throws InterruptedException {
            return handled.await(seconds, TimeUnit.SECONDS);
        }
    }
}
