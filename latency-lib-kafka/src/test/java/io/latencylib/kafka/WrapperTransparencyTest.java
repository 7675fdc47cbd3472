package io.latencylib.kafka;

import static io.latencylib.kafka.KafkaTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Acceptance 3 and 4: foreign messages pass through counted and unchanged; the wrappers change nothing. */
@ExtendWith(KafkaTestSupport.class)
class WrapperTransparencyTest {

    @Test
    void foreignMessagesAreCountedAndDeliveredUnchanged() throws Exception {
        String topic = newTopic("foreign", 1, false);
        LatencyRecorder recorder = LatencyRecorder.create();
        byte[] futureVersion = LatencyStamp.encode(1, 1, 1, 1);
        futureVersion[0] = 9;
        List<ProducerRecord<byte[], byte[]>> sent = List.of(
                new ProducerRecord<>(topic, null, null, "no-header".getBytes(), "v1".getBytes(),
                        new RecordHeaders(new Header[] {new RecordHeader("app", "a".getBytes())})),
                new ProducerRecord<>(topic, null, null, "garbage".getBytes(), "v2".getBytes(),
                        new RecordHeaders(new Header[] {new RecordHeader(LatencyStamp.HEADER, new byte[] {7, 7, 7})})),
                new ProducerRecord<>(topic, null, null, "future".getBytes(), "v3".getBytes(),
                        new RecordHeaders(new Header[] {new RecordHeader(LatencyStamp.HEADER, futureVersion)})),
                new ProducerRecord<>(topic, null, null, "empty".getBytes(), "v4".getBytes(),
                        new RecordHeaders(new Header[] {new RecordHeader(LatencyStamp.HEADER, null)})));
        try (KafkaProducer<byte[], byte[]> raw = rawProducer(producerConfig("all", 0))) {
            for (var r : sent) {
                raw.send(r).get();
            }
        }
        try (Producer<byte[], byte[]> wrapped = KafkaLatency.wrap(rawProducer(producerConfig("all", 0)), recorder)) {
            wrapped.send(new ProducerRecord<>(topic, "stamped".getBytes(), "v5".getBytes())).get();
        }
        List<ConsumerRecord<byte[], byte[]>> got;
        Consumer<byte[], byte[]> consumer = KafkaLatency.wrap(rawConsumer(consumerConfig(), topic, 1), recorder);
        try (var background = new BackgroundConsumer(consumer, 5, Duration.ofSeconds(30), r -> { })) {
            got = background.await(Duration.ofSeconds(30));
        }
        assertThat(got).hasSize(5);
        for (int i = 0; i < 4; i++) {
            ConsumerRecord<byte[], byte[]> r = got.get(i);
            assertThat(r.value()).isEqualTo(sent.get(i).value());
            assertThat(r.headers().toArray()).containsExactly(sent.get(i).headers().toArray());
        }
        var counts = recorder.report().counts();
        assertThat(counts.unstamped()).isEqualTo(4);
        assertThat(counts.received()).isEqualTo(1);
        assertThat(counts.joined()).isEqualTo(1);
    }

    @Test
    void applicationHeadersAreUntouchedAndTheStampIsOneHeaderMore() throws Exception {
        String topic = newTopic("headers", 1, false);
        LatencyRecorder recorder = LatencyRecorder.create();
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", "t-1".getBytes());
        headers.add("dup", "x".getBytes());
        headers.add("dup", "y".getBytes());
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, 1234L, "k".getBytes(), "v".getBytes(), headers);
        try (Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(producerConfig("all", 0)), recorder)) {
            producer.send(record).get();
            // the same record again: its headers are read-only now, and it must still go out, with a new stamp
            producer.send(record).get();
        }
        Consumer<byte[], byte[]> consumer = KafkaLatency.wrap(rawConsumer(consumerConfig(), topic, 1), recorder);
        List<ConsumerRecord<byte[], byte[]>> got;
        try (var background = new BackgroundConsumer(consumer, 2, Duration.ofSeconds(30), r -> { })) {
            got = background.await(Duration.ofSeconds(30));
        }
        List<byte[]> stamps = new ArrayList<>();
        for (var r : got) {
            Header[] h = r.headers().toArray();
            assertThat(h).hasSize(4);
            assertThat(h[0].key()).isEqualTo("trace");
            assertThat(h[0].value()).isEqualTo("t-1".getBytes());
            assertThat(h[1].value()).isEqualTo("x".getBytes());
            assertThat(h[2].value()).isEqualTo("y".getBytes());
            assertThat(h[3].key()).isEqualTo(LatencyStamp.HEADER);
            assertThat(r.key()).isEqualTo("k".getBytes());
            assertThat(r.value()).isEqualTo("v".getBytes());
            stamps.add(h[3].value());
        }
        assertThat(LatencyStamp.sequence(stamps.get(1))).isEqualTo(LatencyStamp.sequence(stamps.get(0)) + 1);
        var counts = recorder.report().counts();
        assertThat(counts.joined()).isEqualTo(2);
        assertThat(counts.duplicated()).isZero();
    }

    @Test
    void returnValuesAndCallbacksAreTheClientsOwn() throws Exception {
        String topic = newTopic("returns", 1, false);
        LatencyRecorder recorder = LatencyRecorder.create();
        try (Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(producerConfig("all", 0)), recorder)) {
            CompletableFuture<RecordMetadata> fromCallback = new CompletableFuture<>();
            RecordMetadata fromFuture = producer.send(new ProducerRecord<>(topic, "v".getBytes()), (m, e) -> {
                if (e != null) {
                    fromCallback.completeExceptionally(e);
                } else {
                    fromCallback.complete(m);
                }
            }).get();
            RecordMetadata m = fromCallback.get(10, TimeUnit.SECONDS);
            assertThat(m.topic()).isEqualTo(topic);
            assertThat(m.offset()).isEqualTo(fromFuture.offset()).isEqualTo(0);
            assertThat(producer.partitionsFor(topic)).hasSize(1);
            assertThat(producer.metrics()).isNotEmpty();
            assertThat(producer.toString()).contains("LatencyProducer");
        }
        try (Consumer<byte[], byte[]> consumer = KafkaLatency.wrap(new KafkaConsumer<>(consumerConfig()), recorder)) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            assertThat(consumer.assignment()).containsExactly(new TopicPartition(topic, 0));
            assertThat(consumer.beginningOffsets(List.of(new TopicPartition(topic, 0))))
                    .containsEntry(new TopicPartition(topic, 0), 0L);
        }
    }

    @Test
    void aSendToAMissingTopicFailsExactlyAsWithoutTheWrapper() throws Exception {
        Map<String, Object> config = producerConfig("all", 0);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
        ProducerRecord<byte[], byte[]> toMissing = new ProducerRecord<>("no-such-topic", "v".getBytes());
        Throwable raw;
        try (KafkaProducer<byte[], byte[]> producer = rawProducer(config)) {
            raw = failureOf(producer, toMissing);
        }
        LatencyRecorder recorder = LatencyRecorder.create();
        Throwable wrapped;
        try (Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(config), recorder)) {
            wrapped = failureOf(producer, new ProducerRecord<>("no-such-topic", "v".getBytes()));
        }
        assertThat(wrapped).isInstanceOf(raw.getClass()).hasMessage(raw.getMessage());
        assertThat(recorder.report().counts().sendErrors()).isEqualTo(1);
        assertThat(recorder.report().counts().lost()).isZero();
    }

    @Test
    void exceptionsThrownByTheClientAreThrownUnchanged() {
        LatencyRecorder recorder = LatencyRecorder.create();
        try (KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(consumerConfig());
             Consumer<byte[], byte[]> wrapped = KafkaLatency.wrap(new KafkaConsumer<>(consumerConfig()), recorder)) {
            // polling without a subscription or assignment is an IllegalStateException
            Throwable expected = org.assertj.core.api.Assertions.catchThrowable(() -> raw.poll(Duration.ZERO));
            assertThatThrownBy(() -> wrapped.poll(Duration.ZERO))
                    .isInstanceOf(expected.getClass()).hasMessage(expected.getMessage());
        }
        try (Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(producerConfig("all", 0)), recorder)) {
            assertThatThrownBy(() -> KafkaLatency.wrap(producer, recorder))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already wrapped");
        }
    }

    /** The exception a send ends with, whether thrown or delivered through the future. */
    private static Throwable failureOf(Producer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<Exception> callback = new CompletableFuture<>();
        try {
            producer.send(record, (m, e) -> callback.complete(e)).get();
        } catch (ExecutionException e) {
            assertThat(callback.join()).isSameAs(e.getCause());
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("the send to a missing topic succeeded");
    }
}
