package io.latencylib.pulsar;

import static io.latencylib.pulsar.PulsarTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.LatencyRecorder;
import io.latencylib.MessageLatency;
import io.latencylib.Stage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.BatchReceivePolicy;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.Messages;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The wrapped consumer's busy time line, message by message: after a call returned (with a message,
 * empty on its timeout, or by an exception) or a receive future completed, the application is busy
 * until it asks again, so a message committed meanwhile waits in catch-up; a message that reaches a
 * pending {@code receiveAsync} was asked for and waits in fetch only. Each message is sent (and
 * acknowledged) while the application is busy for {@value #BUSY_MS} ms, or while it is asking.
 */
@ExtendWith(PulsarTestSupport.class)
class ConsumerTimeLineTest {

    private static final long BUSY_MS = 200;

    @Test
    void catchUpIsTheTimeTheApplicationWasBusyAfterEachKindOfReturn() throws Exception {
        String topic = newTopic("time-line");
        ConcurrentLinkedQueue<MessageLatency> splits = new ConcurrentLinkedQueue<>();
        LatencyRecorder recorder = LatencyRecorder.builder().messageListener(splits::add).build();
        List<String> got = new ArrayList<>();
        try (Consumer<String> consumer = PulsarLatency.wrap(client().newConsumer(Schema.STRING).topic(topic)
                .subscriptionName("s").batchReceivePolicy(BatchReceivePolicy.builder().maxNumMessages(100)
                        .timeout(1, TimeUnit.MILLISECONDS).build()).subscribe(), recorder);
             Producer<String> producer = PulsarLatency.wrap(client().newProducer(Schema.STRING).topic(topic)
                     .enableBatching(false).create(), recorder)) {
            // 1: after a receive that timed out empty
            assertThat(consumer.receive(20, TimeUnit.MILLISECONDS)).isNull();
            producer.send("after-timeout");
            busyFor(Duration.ofMillis(BUSY_MS));
            got.add(take(consumer.receive(10, TimeUnit.SECONDS), consumer));

            // 2: after a receive that threw (the thread was interrupted)
            Thread.currentThread().interrupt();
            assertThatThrownBy(consumer::receive).isInstanceOf(PulsarClientException.class);
            Thread.interrupted(); // the client may set it again
            producer.send("after-exception");
            busyFor(Duration.ofMillis(BUSY_MS));
            got.add(take(consumer.receive(10, TimeUnit.SECONDS), consumer));

            // 3: a pending receiveAsync: the application was asking when the message came
            CompletableFuture<Message<String>> pending = consumer.receiveAsync();
            producer.send("to-a-pending-future");
            got.add(take(pending.get(10, TimeUnit.SECONDS), consumer));

            // 4: after a receiveAsync completed, busy until the next one
            busyFor(Duration.ofMillis(BUSY_MS / 4));
            producer.send("after-a-future");
            busyFor(Duration.ofMillis(BUSY_MS));
            got.add(take(consumer.receiveAsync().get(10, TimeUnit.SECONDS), consumer));

            // 5: batchReceive (returning within 1 ms) after busy time
            producer.send("to-batch-receive");
            busyFor(Duration.ofMillis(BUSY_MS));
            Messages<String> batch = consumer.batchReceive();
            while (batch.size() == 0) {
                batch = consumer.batchReceive();
            }
            assertThat(batch.size()).isEqualTo(1);
            got.add(take(batch.iterator().next(), consumer));
        }
        assertThat(got).containsExactly("after-timeout", "after-exception", "to-a-pending-future", "after-a-future",
                "to-batch-receive");
        List<MessageLatency> bySend = new ArrayList<>(splits);
        bySend.sort(Comparator.comparingLong(MessageLatency::sequence));
        assertThat(bySend).hasSize(5);
        for (int i = 0; i < bySend.size(); i++) {
            MessageLatency m = bySend.get(i);
            System.out.printf("%-20s catch-up %7.2f ms, fetch %7.2f ms%n", got.get(i),
                    m.stageMicros(Stage.CATCH_UP) / 1e3, m.stageMicros(Stage.FETCH) / 1e3);
        }
        long busyMicros = TimeUnit.MILLISECONDS.toMicros(BUSY_MS);
        for (int i : new int[] {0, 1, 3, 4}) {
            assertThat(bySend.get(i).stageMicros(Stage.CATCH_UP)).as("catch-up of %s", got.get(i))
                    .isGreaterThan(busyMicros * 3 / 4);
            assertThat(bySend.get(i).stageMicros(Stage.FETCH)).as("fetch of %s", got.get(i))
                    .isLessThan(busyMicros / 4);
        }
        assertThat(bySend.get(2).stageMicros(Stage.CATCH_UP)).as("catch-up of a message for a pending future")
                .isLessThan(busyMicros / 10);
    }

    private static String take(Message<String> m, Consumer<String> consumer) throws PulsarClientException {
        assertThat(m).isNotNull();
        consumer.acknowledge(m);
        return m.getValue();
    }
}
