package io.latencylib.kafka;

import static io.latencylib.kafka.KafkaTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import io.latencylib.kafka.internal.KafkaStamping;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stamp is one header more on the application's record: about 50 bytes that can push a record
 * over a size limit. When it is what made a record too large, the error says so, through the
 * callback and the future alike; a record too large on its own fails exactly as without the wrapper.
 */
@ExtendWith(KafkaTestSupport.class)
class RecordTooLargeTest {

    private static final int MAX_REQUEST_SIZE = 4096;
    /** What the stamp header adds to a record: 49 bytes with a 34-byte stamp. */
    private static final int STAMP = KafkaStamping.STAMP_BYTES;
    private static final Pattern SIZE = Pattern.compile("The message is (\\d+) bytes");

    @Test
    void aRecordTheStampPushesOverMaxRequestSizeFailsSayingSoInTheCallbackAndTheFuture() throws Exception {
        String topic = newTopic("too-large", 1, false);
        Map<String, Object> config = producerConfig("all", 0);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_SIZE);

        // truth from the client itself: what a record costs besides its value, and that one of exactly
        // max.request.size fits without the stamp
        int valueSize;
        
        try (KafkaProducer<byte[], byte[]> raw = rawProducer(config)) {
            Failure rawTooLarge = sendAndCatch(raw, record(topic, 2 * MAX_REQUEST_SIZE));
            Matcher m = SIZE.matcher(rawTooLarge.fromCallback.getMessage());
            assertThat(m.find()).isTrue();
            int overhead = Integer.parseInt(m.group(1)) - 2 * MAX_REQUEST_SIZE;
            valueSize = MAX_REQUEST_SIZE - overhead;
            assertThat(raw.send(record(topic, valueSize)).get(10, TimeUnit.SECONDS).offset()).isZero();
        }

        LatencyRecorder recorder = LatencyRecorder.create();
        try (Producer<byte[], byte[]> wrapped = KafkaLatency.wrap(rawProducer(config), recorder)) {
            ProducerRecord<byte[], byte[]> fits = record(topic, valueSize);
            Failure f = sendAndCatch(wrapped, fits);
            assertThat(f.fromCallback).isInstanceOf(RecordTooLargeException.class);
            Matcher m = SIZE.matcher(f.fromCallback.getMessage());
            assertThat(m.find()).isTrue();
            int withStamp = Integer.parseInt(m.group(1));
            assertThat(withStamp - STAMP).as("without the stamp it fits").isBetween(MAX_REQUEST_SIZE - 2, MAX_REQUEST_SIZE);
            assertThat(f.fromCallback)
                    .hasMessageStartingWith("The message is " + withStamp + " bytes when serialized which is larger than "
                            + MAX_REQUEST_SIZE + ", which is the value of the max.request.size configuration.")
                    .hasMessageContaining("The latency stamp header (latency-lib) added " + STAMP + " bytes to this"
                            + " record: without it the record is " + (withStamp - STAMP) + " bytes and fits")
                    .hasMessageContaining("raise max.request.size by " + STAMP + " bytes (to "
                            + (MAX_REQUEST_SIZE + STAMP) + ")");
            assertThat(f.fromFuture).isSameAs(f.fromCallback);
            assertThat(f.fromCallback.getCause()).isInstanceOf(RecordTooLargeException.class)
                    .hasMessageEndingWith("max.request.size configuration.");
            System.out.println("stamp pushed a record over max.request.size: " + f.fromCallback.getMessage());
            // the application's headers are as they were, plus the stamp (the wrapper adds it to the caller's record)
            Header[] headers = fits.headers().toArray();
            assertThat(headers).extracting(Header::key).containsExactly("app", LatencyStamp.HEADER);

            // too large on its own: exactly the client's own failure, not a word added
            Failure own = sendAndCatch(wrapped, record(topic, 2 * MAX_REQUEST_SIZE));
            assertThat(own.fromCallback).isInstanceOf(RecordTooLargeException.class)
                    .hasMessageMatching("The message is \\d+ bytes when serialized which is larger than "
                            + MAX_REQUEST_SIZE + ", which is the value of the max.request.size configuration\\.");
            assertThat(own.fromFuture).isSameAs(own.fromCallback);
            assertThat(own.fromCallback.getSuppressed()).isEmpty();
        }
        var counts = recorder.report().counts();
        assertThat(counts.sendErrors()).isEqualTo(2);
        assertThat(counts.lost()).isZero();
    }

    @Test
    void aRecordTheStampPushesOverTheTopicsMaxMessageBytesCarriesANote() throws Exception {
        // a batch of one record without headers costs 70 bytes besides a value of this size
        int maxMessageBytes = 1200;
        int valueSize = maxMessageBytes - 70 - STAMP / 2;
        String topic = "too-large-for-topic-" + System.nanoTime();
        admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of(
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime",
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(maxMessageBytes))))).all().get();
        Map<String, Object> config = producerConfig("all", 0);
        try (KafkaProducer<byte[], byte[]> raw = rawProducer(config)) {
            // truth: without the stamp it fits
            assertThat(raw.send(new ProducerRecord<>(topic, new byte[valueSize])).get(10, TimeUnit.SECONDS).offset())
                    .isZero();
        }
        LatencyRecorder recorder = LatencyRecorder.create();
        try (Producer<byte[], byte[]> wrapped = KafkaLatency.wrap(rawProducer(config), recorder)) {
            Failure f = sendAndCatch(wrapped, new ProducerRecord<>(topic, new byte[valueSize]));
            // the broker's answer carries no sizes: the client's exception object and message are kept, with a note
            assertThat(f.fromCallback).isInstanceOf(RecordTooLargeException.class)
                    .hasMessage("The request included a message larger than the max message size the server will accept.");
            assertThat(f.fromFuture).isSameAs(f.fromCallback);
            assertThat(f.fromCallback.getSuppressed()).hasSize(1);
            assertThat(f.fromCallback.getSuppressed()[0].getMessage())
                    .contains("adds " + STAMP + " bytes").contains("max.message.bytes")
                    .contains("raise that limit by " + STAMP + " bytes");
            System.out.println("stamp pushed a record over the topic's max.message.bytes: "
                    + f.fromCallback.getSuppressed()[0].getMessage());
        }
        assertThat(recorder.report().counts().sendErrors()).isEqualTo(1);
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, int valueSize) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, new byte[valueSize]);
        r.headers().add("app", new byte[] {1});
        return r;
    }

    private record Failure(Exception fromCallback, Throwable fromFuture) {
    }

    /** Sends; the failure the callback got and the one the future's get() gave. */
    private static Failure sendAndCatch(Producer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record)
            throws Exception {
        CompletableFuture<Exception> callback = new CompletableFuture<>();
        Future<RecordMetadata> future = producer.send(record, (m, e) -> callback.complete(e));
        Throwable fromFuture = null;
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            fromFuture = e.getCause();
        }
        Exception fromCallback = callback.get(10, TimeUnit.SECONDS);
        assertThat(fromCallback).as("the send failed").isNotNull();
        return new Failure(fromCallback, fromFuture);
    }
}
