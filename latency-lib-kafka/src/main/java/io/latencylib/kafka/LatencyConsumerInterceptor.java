package io.latencylib.kafka;

import io.latencylib.LatencyRecorder;
import io.latencylib.kafka.internal.KafkaStamping;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The configuration-only path for consumers whose code cannot be changed:
 * {@code interceptor.classes=io.latencylib.kafka.LatencyConsumerInterceptor}, and optionally
 * {@code latency.recorder=<name>}.
 *
 * <p>What it sees: every record a poll returns, just before the poll returns. What it cannot see:
 * when a poll starts and returns, so the consumer's time line (free inside {@code poll()}, busy
 * between polls) is unknown and catch-up and fetch are reported merged. Prefer {@link KafkaLatency#wrap(org.apache.kafka.clients.consumer.Consumer, LatencyRecorder)}.
 */
public class LatencyConsumerInterceptor implements ConsumerInterceptor<Object, Object> {

    private LatencyRecorder recorder;
    private KafkaStamping.PollObserver observer;

    @Override
    public void configure(Map<String, ?> configs) {
        Object name = configs.get(LatencyProducerInterceptor.RECORDER_CONFIG);
        recorder = KafkaLatency.recorder(name == null ? "default" : name.toString());
        observer = new KafkaStamping.PollObserver(recorder);
    }

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        if (!records.isEmpty()) {
            observer.observe(records, recorder.clock().nowMicros());
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public void close() {
    }
}
