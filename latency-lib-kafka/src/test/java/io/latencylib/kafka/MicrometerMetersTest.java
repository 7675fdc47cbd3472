package io.latencylib.kafka;

import static io.latencylib.kafka.KafkaTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.micrometer.LatencyMeters;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Micrometer meters on a real embedded-broker run show the same recording as the report. */
@ExtendWith(KafkaTestSupport.class)
class MicrometerMetersTest {

    @Test
    void metersCarryTheStagesWithMessagingTagsAndAgreeWithTheReport() throws Exception {
        String topic = newTopic("meters", 1, false);
        LatencyRecorder recorder = LatencyRecorder.create();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LatencyMeters meters = LatencyMeters.builder(recorder).system("kafka").destination(topic).build();
        meters.bindTo(registry);

        Consumer<byte[], byte[]> consumer = KafkaLatency.wrap(rawConsumer(consumerConfig(), topic, 1), recorder);
        try (var background = new BackgroundConsumer(consumer, 500, Duration.ofSeconds(30), r -> { }).awaitPolling();
             Producer<byte[], byte[]> producer = KafkaLatency.wrap(rawProducer(producerConfig("all", 1)), recorder)) {
            sendPaced(producer, topic, 500, 1000, 100);
            assertThat(background.await(Duration.ofSeconds(30))).hasSize(500);
        }
        LatencyReport report = recorder.report();

        Timer e2e = registry.get("messaging.latency.end.to.end").tag("from", "send")
                .tag("messaging.system", "kafka").tag("messaging.destination.name", topic).timer();
        assertThat(e2e.count()).isEqualTo(report.counts().received()).isEqualTo(500);
        // the same largest value (HdrHistogram reports it to 3 significant digits)
        assertThat(e2e.max(TimeUnit.MICROSECONDS)).isCloseTo(report.endToEnd().max().toNanos() / 1000.0,
                org.assertj.core.data.Percentage.withPercentage(0.1));
        for (String stage : new String[] {"produce", "publish", "commit", "catch-up", "fetch"}) {
            assertThat(registry.get("messaging.latency.stage").tag("stage", stage).timer().count()).as(stage).isEqualTo(500);
        }
        assertThat(registry.get("messaging.producer.latency").timer().count()).isEqualTo(report.counts().acked());
        assertThat(registry.get("messaging.latency.messages").tag("outcome", "sent").functionCounter().count())
                .isEqualTo(500);
        assertThat(registry.get("messaging.latency.messages").tag("outcome", "received").functionCounter().count())
                .isEqualTo(500);
        assertThat(registry.get("messaging.latency.messages").tag("outcome", "lost").functionCounter().count()).isZero();
        assertThat(registry.find("messaging.latency.clamps").functionCounters()).hasSize(5);
        for (Meter m : registry.getMeters()) {
            assertThat(m.getId().getTag("messaging.system")).isEqualTo("kafka");
        }

        meters.close();
        assertThat(registry.getMeters()).isEmpty();
    }
}
