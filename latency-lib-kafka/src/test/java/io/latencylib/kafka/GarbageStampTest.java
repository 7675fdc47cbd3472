package io.latencylib.kafka;

import static io.latencylib.kafka.KafkaTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.LatencyStamp;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Records whose {@code latency-stamp} header holds random bytes, of every length including both stamp
 * lengths with a valid first byte, read through a wrapped consumer: every record is delivered unchanged,
 * none reaches a histogram, each is counted unstamped or implausible.
 */
@ExtendWith(KafkaTestSupport.class)
class GarbageStampTest {

    @Test
    void randomStampHeadersAreDeliveredUnchangedAndRecordedNowhere() throws Exception {
        String topic = newTopic("garbage", 1, false);
        int count = 10_000;
        Random random = new Random(13);
        List<byte[]> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = rawProducer(producerConfig("all", 5))) {
            for (int i = 0; i < count; i++) {
                int length = i % (LatencyStamp.LENGTH + 8);
                byte[] header = new byte[length];
                random.nextBytes(header);
                if (length > 0 && i % 2 == 0) {
                    header[0] = (byte) (length == 30 ? 1 : LatencyStamp.VERSION); // a valid first byte
                }
                sent.add(header);
                RecordHeaders headers = new RecordHeaders();
                headers.add(LatencyStamp.HEADER, header);
                headers.add("app", ByteBuffer.allocate(4).putInt(i).array());
                producer.send(new ProducerRecord<byte[], byte[]>(topic, null, null, null, ByteBuffer.allocate(4).putInt(i).array(),
                        headers));
            }
        }
        LatencyRecorder recorder = LatencyRecorder.create();
        Consumer<byte[], byte[]> consumer = KafkaLatency.wrap(rawConsumer(consumerConfig(), topic, 1), recorder);
        List<ConsumerRecord<byte[], byte[]>> got;
        try (var background = new BackgroundConsumer(consumer, count, Duration.ofSeconds(60), r -> { })) {
            got = background.await(Duration.ofSeconds(60));
        }
        assertThat(got).hasSize(count);
        for (ConsumerRecord<byte[], byte[]> r : got) {
            int i = ByteBuffer.wrap(r.value()).getInt();
            assertThat(r.headers().toArray()).as("headers of record %d", i).hasSize(2);
            assertThat(Arrays.equals(r.headers().lastHeader(LatencyStamp.HEADER).value(), sent.get(i)))
                    .as("stamp header of record %d unchanged", i).isTrue();
            assertThat(ByteBuffer.wrap(r.headers().lastHeader("app").value()).getInt()).isEqualTo(i);
        }
        LatencyReport report = recorder.report();
        assertThat(report.counts().unstamped() + report.counts().implausible()).isEqualTo(count);
        assertThat(report.counts().received()).isZero();
        assertThat(report.endToEnd().count()).isZero();
        assertThat(report.stages()).isEmpty();
        System.out.printf("10,000 random stamp headers: %d unstamped, %d implausible, 0 recorded%n",
                report.counts().unstamped(), report.counts().implausible());
    }
}
