package io.latencylib.kafka;

import static io.latencylib.kafka.KafkaTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The configuration-only path: interceptors set through properties, no code wrapped. */
@ExtendWith(KafkaTestSupport.class)
class InterceptorPathTest {

    @Test
    void interceptorsMeasureWhatTheyCanSeeAndReportTheRestMerged() throws Exception {
        String topic = newTopic("interceptors", 1, false);
        LatencyRecorder recorder = LatencyRecorder.create();
        KafkaLatency.register("interceptor-test", recorder);

        Map<String, Object> consumerConfig = consumerConfig();
        consumerConfig.put(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, LatencyConsumerInterceptor.class.getName());
        consumerConfig.put(LatencyProducerInterceptor.RECORDER_CONFIG, "interceptor-test");
        Map<String, Object> producerConfig = producerConfig("all", 1);
        producerConfig.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, LatencyProducerInterceptor.class.getName());
        producerConfig.put(LatencyProducerInterceptor.RECORDER_CONFIG, "interceptor-test");

        try (var background = new BackgroundConsumer(rawConsumer(consumerConfig, topic, 1), 300,
                Duration.ofSeconds(30), r -> { }).awaitPolling();
             KafkaProducer<byte[], byte[]> producer = rawProducer(producerConfig)) {
            sendPaced(producer, topic, 300, 1000, 100);
            assertThat(background.await(Duration.ofSeconds(30))).hasSize(300);
        }
        LatencyReport report = recorder.report();
        assertThat(report.counts().joined()).isEqualTo(300);
        assertThat(report.counts().lost()).isZero();
        // kafka-clients 4.x hands the headers to onAcknowledgement: produce, publish and commit are split;
        // the start of poll() is invisible to an interceptor: catch-up and fetch are merged
        assertThat(report.stage(Stage.PRODUCE)).isPresent();
        assertThat(report.stage(Stage.PUBLISH)).isPresent();
        assertThat(report.stage(Stage.COMMIT)).isPresent();
        assertThat(report.mergedStages()).containsExactly("catch-up+fetch");
        assertThat(report.producerLatency()).isPresent();
    }
}
