package io.latencylib.pulsar;

import static io.latencylib.pulsar.PulsarTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Foreign messages pass through counted and unchanged; the wrappers change nothing the application sees. */
@ExtendWith(PulsarTestSupport.class)
class WrapperTransparencyTest {

    @Test
    void foreignMessagesAreCountedAndDeliveredUnchanged() throws Exception {
        String topic = newTopic("foreign");
        LatencyRecorder recorder = LatencyRecorder.create();
        byte[] futureVersion = LatencyStamp.encode(1, 1, 1, 1);
        futureVersion[0] = 9;
        try (Consumer<byte[]> consumer = PulsarLatency.wrap(rawConsumer(client(), topic), recorder)) {
            try (Producer<byte[]> raw = client().newProducer(Schema.BYTES).topic(topic).create()) {
                raw.newMessage().value("v1".getBytes()).property("app", "a").send();
                raw.newMessage().value("v2".getBytes()).property(LatencyStamp.HEADER, "not base64 !").send();
                raw.newMessage().value("v3".getBytes())
                        .property(LatencyStamp.HEADER, Base64.getEncoder().encodeToString(futureVersion)).send();
            }
            try (Producer<byte[]> wrapped = PulsarLatency.wrap(client().newProducer(Schema.BYTES).topic(topic).create(),
                    recorder)) {
                wrapped.send("v4".getBytes());
            }
            List<Message<byte[]>> got = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Message<byte[]> m = consumer.receive(10, TimeUnit.SECONDS);
                assertThat(m).isNotNull();
                got.add(m);
            }
            assertThat(new String(got.get(0).getValue())).isEqualTo("v1");
            assertThat(got.get(0).getProperties()).containsOnlyKeys("app");
            assertThat(got.get(1).getProperty(LatencyStamp.HEADER)).isEqualTo("not base64 !");
            assertThat(new String(got.get(3).getValue())).isEqualTo("v4");
        }
        var counts = recorder.report().counts();
        assertThat(counts.unstamped()).isEqualTo(3);
        assertThat(counts.received()).isEqualTo(1);
        assertThat(counts.joined()).isEqualTo(1);
    }

    @Test
    void returnValuesAndFailuresAreTheClientsOwn() throws Exception {
        String topic = newTopic("returns");
        LatencyRecorder recorder = LatencyRecorder.create();
        Producer<byte[]> raw = client().newProducer(Schema.BYTES).topic(topic).producerName("p-raw").create();
        Producer<byte[]> producer = PulsarLatency.wrap(raw, recorder);
        assertThat(producer.getTopic()).isEqualTo(topic);
        assertThat(producer.getProducerName()).isEqualTo("p-raw");
        assertThat(producer.isConnected()).isTrue();
        assertThat(producer.toString()).contains("LatencyProducer");
        assertThat(producer.newMessage().toString()).contains("LatencyMessageBuilder");
        MessageId id = producer.send("x".getBytes());
        assertThat(producer.getLastSequenceId()).isEqualTo(raw.getLastSequenceId()).isZero();
        assertThat(producer.sendAsync("y".getBytes()).get(10, TimeUnit.SECONDS)).isNotEqualTo(id);
        assertThatThrownBy(() -> PulsarLatency.wrap(producer, recorder))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already wrapped");
        producer.close();

        // a send on a closed producer fails exactly as without the wrapper, sync and async
        Producer<byte[]> closedRaw = client().newProducer(Schema.BYTES).topic(topic).create();
        closedRaw.close();
        Throwable expected = catchThrowable(() -> closedRaw.send("z".getBytes()));
        assertThat(expected).isInstanceOf(PulsarClientException.class);
        Producer<byte[]> closedWrapped = PulsarLatency.wrap(client().newProducer(Schema.BYTES).topic(topic).create(),
                recorder);
        closedWrapped.close();
        assertThatThrownBy(() -> closedWrapped.send("z".getBytes()))
                .isInstanceOf(expected.getClass()).hasMessage(expected.getMessage());
        CompletableFuture<MessageId> rawAsync = closedRaw.sendAsync("z".getBytes());
        CompletableFuture<MessageId> wrappedAsync = closedWrapped.sendAsync("z".getBytes());
        Throwable rawCause = catchThrowable(() -> rawAsync.get(10, TimeUnit.SECONDS));
        Throwable wrappedCause = catchThrowable(() -> wrappedAsync.get(10, TimeUnit.SECONDS));
        assertThat(wrappedCause).isInstanceOf(ExecutionException.class);
        assertThat(wrappedCause.getCause()).isInstanceOf(rawCause.getCause().getClass());
        // dependents see the client's exception itself, not a wrapper of it
        assertThat(wrappedAsync.handle((v, e) -> e).get()).isInstanceOf(rawAsync.handle((v, e) -> e).get().getClass());
        assertThat(recorder.report().counts().sendErrors()).isEqualTo(2);
        assertThat(recorder.report().counts().lost()).isZero();

        try (Consumer<byte[]> consumer = PulsarLatency.wrap(rawConsumer(client(), topic), recorder)) {
            assertThat(consumer.getTopic()).isEqualTo(topic);
            assertThat(consumer.getSubscription()).isEqualTo("test");
            assertThat(consumer.isConnected()).isTrue();
            assertThat(consumer.toString()).contains("LatencyConsumer");
            assertThatThrownBy(() -> PulsarLatency.wrap(consumer, recorder))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already wrapped");
        }
    }
}
