package com.example.orders;

import static io.latencylib.junit.LatencyAssertions.assertThat;

import io.latencylib.junit.LatencySLO;
import io.latencylib.kafka.junit.KafkaSession;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class OrderLatencyTest {

    @LatencySLO("p99 < 50ms")
    @Test
    void placedOrdersArriveWithin50msAtP99(KafkaSession kafka) throws Exception {
        String topic = kafka.newTopic(3);
        Consumer<String, String> consumer = kafka.consumerOf(topic, Map.of(), new StringDeserializer(),
                new StringDeserializer());
        OrderPublisher orders = new OrderPublisher(kafka.producer(Map.of(), new StringSerializer(),
                new StringSerializer()), topic);
        int count = 1_500;                                        // 3 s at 500 orders a second
        CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() -> {
            int n = 0;
            while (n < count) {
                n += consumer.poll(Duration.ofMillis(100)).count();
            }
            return n;
        });

        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            LockSupport.parkNanos(next - System.nanoTime());
            orders.orderPlaced("order-" + i, "{\"id\":" + i + "}");
            next += 2_000_000;                                    // every 2 ms
        }
        orders.flush();

        org.assertj.core.api.Assertions.assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(count);
        assertThat(kafka.report()).hasReceived(count).hasNoLoss();
    }

    @LatencySLO(rate = 1_000, duration = "5s", value = {"commit.p99 < 50ms", "lost == 0"})
    @Test
    void commitStaysFastUnderPacedLoad(KafkaSession kafka) {
        assertThat(kafka.loadReport().orElseThrow()).isDrained();
    }
}
