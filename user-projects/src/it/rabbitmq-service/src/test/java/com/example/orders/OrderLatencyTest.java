package com.example.orders;

import static io.latencylib.junit.LatencyAssertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.latencylib.junit.LatencySLO;
import io.latencylib.rabbitmq.junit.RabbitSession;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class OrderLatencyTest {

    @LatencySLO("p99 < 500ms")
    @Test
    void placedOrdersArriveWithin500msAtP99(RabbitSession rabbit) throws Exception {
        String queue = rabbit.newQueue();
        int count = 1_500;                                        // 3 s at 500 orders a second
        CountDownLatch received = new CountDownLatch(count);
        Channel consuming = rabbit.channel();
        consuming.basicConsume(queue, true, new DefaultConsumer(consuming) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                received.countDown();
            }
        });
        OrderPublisher orders = new OrderPublisher(rabbit.channel(), queue);

        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            LockSupport.parkNanos(next - System.nanoTime());
            orders.orderPlaced("order-" + i, "{\"id\":" + i + "}");
            next += 2_000_000;                                    // every 2 ms
        }

        org.assertj.core.api.Assertions.assertThat(received.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(rabbit.report()).hasReceived(count).hasNoLoss();
    }

    // RabbitMQ 3.10 sets no broker timestamp: publish and commit are one merged stage, so the paced
    // objective is on a stage reported on its own
    @LatencySLO(rate = 500, duration = "5s", value = {"fetch.p99 < 500ms", "lost == 0"})
    @Test
    void fetchStaysFastUnderPacedLoad(RabbitSession rabbit) {
        assertThat(rabbit.loadReport().orElseThrow()).isDrained();
    }
}
