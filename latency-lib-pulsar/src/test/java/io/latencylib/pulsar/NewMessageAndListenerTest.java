package io.latencylib.pulsar;

import static io.latencylib.pulsar.PulsarTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.LatencyStamp;
import io.latencylib.MessageLatency;
import io.latencylib.Stage;
import io.latencylib.micrometer.LatencyMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageListener;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Acceptance 3: messages built with {@code newMessage()...send()}/{@code sendAsync()} and delivered to a
 * {@code MessageListener} are stamped and measured like the rest; the application's properties, key,
 * ordering key and event time arrive untouched, the stamp is one property more.
 */
@ExtendWith(PulsarTestSupport.class)
class NewMessageAndListenerTest {

    private static final int COUNT = 1_000;

    @Test
    void builtMessagesDeliveredToAListenerAreStampedAndSplitInFiveStages() throws Exception {
        String topic = newTopic("listener");
        ConcurrentLinkedQueue<MessageLatency> splits = new ConcurrentLinkedQueue<>();
        LatencyRecorder recorder = LatencyRecorder.builder().messageListener(splits::add).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LatencyMeters meters = LatencyMeters.builder(recorder).system(PulsarLatency.SYSTEM).destination(topic).build();
        meters.bindTo(registry);
        List<Message<String>> delivered = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(COUNT);
        MessageListener<String> application = (consumer, msg) -> {
            delivered.add(msg);
            consumer.acknowledgeAsync(msg);
            LockSupport.parkNanos(200_000); // some handling
            all.countDown();
        };
        try (Consumer<String> consumer = client().newConsumer(Schema.STRING).topic(topic).subscriptionName("listener")
                .subscriptionType(SubscriptionType.Shared)
                .messageListener(PulsarLatency.wrap(application, recorder)).subscribe();
             Producer<String> producer = PulsarLatency.wrap(client().newProducer(Schema.STRING).topic(topic).create(),
                     recorder)) {
            List<CompletableFuture<MessageId>> futures = new ArrayList<>();
            for (int i = 0; i < COUNT; i++) {
                var builder = producer.newMessage().key("k-" + i % 7).value("v-" + i)
                        .property("app", "a-" + i).properties(Map.of("trace", "t-" + i))
                        .orderingKey(("o-" + i).getBytes(StandardCharsets.UTF_8)).eventTime(1_000_000L + i);
                if (i % 4 == 0) {
                    assertThat(builder.send()).isNotNull();
                } else {
                    futures.add(builder.sendAsync());
                }
                if (i % 100 == 0) {
                    LockSupport.parkNanos(2_000_000);
                }
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(all.await(60, TimeUnit.SECONDS)).as("all delivered to the listener").isTrue();
        }
        LatencyReport report = recorder.report();
        System.out.println(report.toTable());
        assertThat(report.counts().sent()).isEqualTo(COUNT);
        assertThat(report.counts().joined()).isEqualTo(COUNT);
        assertThat(report.counts().lost()).isZero();
        assertThat(report.counts().unstamped()).isZero();
        assertThat(report.mergedStages()).isEmpty();
        for (Stage s : Stage.values()) {
            assertThat(report.stage(s)).as(s.label()).hasValueSatisfying(st -> assertThat(st.count()).isEqualTo(COUNT));
        }
        for (MessageLatency m : splits) {
            long sum = 0;
            for (Stage s : Stage.values()) {
                sum += m.stageMicros(s);
            }
            assertThat(sum).isEqualTo(m.endToEndMicros());
        }
        // the application's own fields arrive as sent; the stamp is one property more
        for (Message<String> m : delivered) {
            int i = Integer.parseInt(m.getValue().substring(2));
            assertThat(m.getKey()).isEqualTo("k-" + i % 7);
            assertThat(m.getOrderingKey()).isEqualTo(("o-" + i).getBytes(StandardCharsets.UTF_8));
            assertThat(m.getEventTime()).isEqualTo(1_000_000L + i);
            assertThat(m.getProperties()).containsOnlyKeys("app", "trace", LatencyStamp.HEADER)
                    .containsEntry("app", "a-" + i).containsEntry("trace", "t-" + i);
            assertThat(m.getProperty(LatencyStamp.HEADER)).hasSize((LatencyStamp.LENGTH + 2) / 3 * 4); // Base64
        }
        // Micrometer: messaging.system=pulsar, fed by the same recording
        assertThat(registry.find("messaging.latency.end.to.end").tag("messaging.system", "pulsar").tag("from", "send")
                .timer()).isNotNull().satisfies(t -> assertThat(t.count()).isEqualTo(COUNT));
        meters.close();
    }

    @Test
    void receiveAsyncAndBatchReceiveAreMeasuredAndReturnWhatTheClientReturns() throws Exception {
        String topic = newTopic("async-receive");
        LatencyRecorder recorder = LatencyRecorder.create();
        try (Consumer<byte[]> consumer = PulsarLatency.wrap(client().newConsumer(Schema.BYTES).topic(topic)
                .subscriptionName("s").subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).subscribe(),
                recorder);
             Producer<byte[]> producer = PulsarLatency.wrap(client().newProducer(Schema.BYTES).topic(topic).create(),
                     recorder)) {
            CompletableFuture<Message<byte[]>> pending = consumer.receiveAsync(); // asked before the message exists
            MessageId first = producer.send("one".getBytes());
            Message<byte[]> m = pending.get(10, TimeUnit.SECONDS);
            assertThat(m.getMessageId()).isEqualTo(first);
            assertThat(m.getValue()).isEqualTo("one".getBytes());
            consumer.acknowledge(m);
            for (int i = 0; i < 20; i++) {
                producer.sendAsync(("b" + i).getBytes());
            }
            producer.flush();
            int got = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (got < 20 && System.nanoTime() < end) {
                var batch = consumer.batchReceive();
                got += batch.size();
                consumer.acknowledge(batch);
            }
            assertThat(got).isEqualTo(20);
            // a cancelled receiveAsync gives up its place: the next message goes to the next receive
            CompletableFuture<Message<byte[]>> cancelled = consumer.receiveAsync();
            assertThat(cancelled.cancel(true)).isTrue();
            producer.send("after".getBytes());
            Message<byte[]> after = consumer.receive(10, TimeUnit.SECONDS);
            assertThat(after).isNotNull();
            assertThat(new String(after.getValue())).isEqualTo("after");
        }
        LatencyReport report = recorder.report();
        assertThat(report.counts().sent()).isEqualTo(22);
        assertThat(report.counts().joined()).isEqualTo(22);
        assertThat(report.counts().duplicated()).isZero();
        assertThat(report.mergedStages()).isEmpty();
    }

    @Test
    void theInterceptorPathMeasuresWithCatchUpAndFetchMerged() throws Exception {
        String topic = newTopic("interceptors");
        LatencyRecorder recorder = LatencyRecorder.create();
        List<Message<byte[]>> got = new ArrayList<>();
        try (Consumer<byte[]> consumer = client().newConsumer(Schema.BYTES).topic(topic).subscriptionName("s")
                .intercept(new LatencyConsumerInterceptor<>(recorder)).subscribe();
             Producer<byte[]> producer = client().newProducer(Schema.BYTES).topic(topic)
                     .intercept(new LatencyProducerInterceptor(recorder)).create()) {
            for (int i = 0; i < 50; i++) {
                producer.newMessage().value(("i" + i).getBytes()).property("app", "x").sendAsync();
            }
            producer.send("last".getBytes());
            while (got.size() < 51) {
                Message<byte[]> m = consumer.receive(10, TimeUnit.SECONDS);
                assertThat(m).isNotNull();
                got.add(m);
                consumer.acknowledge(m);
            }
        }
        assertThat(got.get(0).getProperties()).containsOnlyKeys("app", LatencyStamp.HEADER);
        LatencyReport report = recorder.report();
        System.out.println(report.toTable());
        assertThat(report.counts().sent()).isEqualTo(51);
        assertThat(report.counts().acked()).isEqualTo(51);
        assertThat(report.counts().joined()).isEqualTo(51);
        assertThat(report.mergedStages()).containsExactly("catch-up+fetch");
        assertThat(report.stage(Stage.PRODUCE)).isPresent();
        assertThat(report.stage(Stage.PUBLISH)).isPresent();
        assertThat(report.stage(Stage.COMMIT)).isPresent();
    }

    @Test
    void aRedeliveryOnASharedSubscriptionIsCountedAsRedeliveredAndDuplicated() throws Exception {
        String topic = newTopic("redelivery");
        LatencyRecorder recorder = LatencyRecorder.create();
        try (Consumer<byte[]> consumer = PulsarLatency.wrap(client().newConsumer(Schema.BYTES).topic(topic)
                .subscriptionName("s").subscriptionType(SubscriptionType.Shared)
                .negativeAckRedeliveryDelay(50, TimeUnit.MILLISECONDS).subscribe(), recorder);
             Producer<byte[]> producer = PulsarLatency.wrap(client().newProducer(Schema.BYTES).topic(topic).create(),
                     recorder)) {
            producer.send("once".getBytes());
            Message<byte[]> first = consumer.receive(10, TimeUnit.SECONDS);
            consumer.negativeAcknowledge(first);
            Message<byte[]> again = consumer.receive(10, TimeUnit.SECONDS);
            assertThat(again).isNotNull();
            assertThat(again.getRedeliveryCount()).isEqualTo(1);
            consumer.acknowledge(again);
        }
        LatencyReport report = recorder.report();
        assertThat(report.counts().received()).isEqualTo(2);
        assertThat(report.counts().joined()).isEqualTo(1);
        assertThat(report.counts().duplicated()).isEqualTo(1);
        assertThat(report.counts().redelivered()).isEqualTo(1);
    }

    @Test
    void aSlowListenerShowsAsCatchUp() throws Exception {
        String topic = newTopic("slow-listener");
        LatencyRecorder recorder = LatencyRecorder.create();
        CountDownLatch all = new CountDownLatch(100);
        MessageListener<byte[]> slow = (consumer, msg) -> {
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            consumer.acknowledgeAsync(msg);
            all.countDown();
        };
        try (Consumer<byte[]> consumer = client().newConsumer(Schema.BYTES).topic(topic).subscriptionName("s")
                .messageListener(PulsarLatency.wrap(slow, recorder)).subscribe();
             Producer<byte[]> producer = PulsarLatency.wrap(client().newProducer(Schema.BYTES).topic(topic).create(),
                     recorder)) {
            sendPaced(producer, 100, 200, 100); // 200 msg/s to a listener that takes 100 msg/s
            assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
        }
        LatencyReport report = recorder.report();
        System.out.println(report.toTable());
        assertThat(report.mergedStages()).isEmpty();
        assertThat(report.stage(Stage.CATCH_UP).orElseThrow().p50().toMillis()).isGreaterThan(100);
        assertThat(report.stage(Stage.FETCH).orElseThrow().p50().toMillis()).isLessThan(20);
    }
}
