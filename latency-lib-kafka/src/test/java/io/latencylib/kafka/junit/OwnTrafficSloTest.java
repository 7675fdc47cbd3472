package io.latencylib.kafka.junit;

import static io.latencylib.junit.LatencyAssertions.assertThat;

import io.latencylib.junit.LatencySLO;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;

/**
 * An own-traffic SLO test as a service repository writes it from latency-lib-junit's README: no
 * warm-up of its own, no {@code recorder().reset()}. It must pass as the first test of a run: the
 * extension warmed the run's broker and the client paths up before it, and the session's clients
 * are connected and ready when it gets them. (Its failing twin, a slow consumer, is
 * {@code Scenarios.SlowConsumer}.)
 */
@LatencySLO("p99 < 50ms")
class OwnTrafficSloTest {

    @Test
    void messagesArriveWithin50msAtP99(KafkaSession kafka) throws Exception {
        String topic = kafka.newTopic(3);
        Consumer<byte[], byte[]> consumer = kafka.consumerOf(topic);
        Producer<byte[], byte[]> producer = kafka.producer();
        Future<Integer> received = Traffic.pollUntil(consumer, 2_500, Duration.ZERO);

        Traffic.send(producer, topic, 2_500, 500);   // 5 s at 500 messages a second

        assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(2_500);
        assertThat(kafka.report()).hasReceived(2_500).hasNoLoss().hasNoDuplicates();
    }
}
