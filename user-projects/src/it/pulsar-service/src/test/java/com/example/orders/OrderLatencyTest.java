package com.example.orders;

import static io.latencylib.junit.LatencyAssertions.assertThat;

import io.latencylib.junit.LatencySLO;
import io.latencylib.pulsar.junit.PulsarSession;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.Test;

class OrderLatencyTest {

    @LatencySLO("p99 < 500ms")
    @Test
    void placedOrdersArriveWithin500msAtP99(PulsarSession pulsar) throws Exception {
        String topic = pulsar.newTopic();
        Consumer<String> consumer = pulsar.consumer(topic, Schema.STRING);
        OrderPublisher orders = new OrderPublisher(pulsar.producer(topic, Schema.STRING));
        int count = 1_500;                                        // 3 s at 500 orders a second
        CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() -> {
            try {
                for (int n = 0; n < count; n++) {
                    Message<String> m = consumer.receive();
                    consumer.acknowledge(m);
                }
                return count;
            } catch (PulsarClientException e) {
                throw new IllegalStateException(e);
            }
        });

        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            LockSupport.parkNanos(next - System.nanoTime());
            orders.orderPlaced("order-" + i, "{\"id\":" + i + "}");
            next += 2_000_000;                                    // every 2 ms
        }
        orders.flush();

        org.assertj.core.api.Assertions.assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(count);
        assertThat(pulsar.report()).hasReceived(count).hasNoLoss();
    }

    @LatencySLO(rate = 1_000, duration = "5s", value = {"publish.p99 < 500ms", "lost == 0"})
    @Test
    void publishStaysFastUnderPacedLoad(PulsarSession pulsar) {
        assertThat(pulsar.loadReport().orElseThrow()).isDrained();
    }
}
