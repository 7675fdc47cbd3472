package io.latencylib.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What the adapter keeps per producer and per consumer stays within its fixed bounds, whatever the traffic. */
class BoundedMemoryTest {

    @Test
    void aProducerWritingToManyTopicsAndPartitionsUsesAtMostTheLaneBound() {
        LatencyRecorder recorder = LatencyRecorder.create();
        var tracker = new KafkaStamping.AckTracker(
                KafkaStamping.newProducerProbe(recorder, KafkaStamping.ProducerTraits.from(Map.of())),
                recorder.clock(), 32L << 20);
        Set<Integer> lanes = new HashSet<>();
        for (int t = 0; t < 5_000; t++) {
            for (int p = 0; p < 3; p++) {
                int lane = tracker.lane("topic-" + t, p);
                assertThat(lane).isBetween(0, KafkaStamping.MAX_LANES - 1);
                lanes.add(lane);
                assertThat(tracker.lane("topic-" + t, p)).as("the same partition keeps its lane").isEqualTo(lane);
            }
        }
        // a partition number far beyond the table is folded, not given a table of its size
        assertThat(tracker.lane("wide", 1_000_000)).isBetween(0, KafkaStamping.MAX_LANES - 1);
        assertThat(tracker.laneCount()).isEqualTo(KafkaStamping.MAX_LANES);
        assertThat(lanes).hasSize(KafkaStamping.MAX_LANES);
        // the first partitions were numbered densely, in order
        assertThat(tracker.lane("topic-0", 0)).isZero();
        assertThat(tracker.lane("topic-0", 2)).isEqualTo(2);
    }

    @Test
    void aConsumerNamesAtMostTheBoundOfCreateTimeTopicsThenSaysThereAreMore() {
        LatencyRecorder recorder = LatencyRecorder.create();
        var observer = new KafkaStamping.PollObserver(recorder);
        for (int t = 0; t < 100; t++) {
            TopicPartition tp = new TopicPartition("create-time-" + t, 0);
            ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>(tp.topic(), 0, 0, "k".getBytes(), "v".getBytes());
            r.headers().add(LatencyStamp.HEADER, new byte[LatencyStamp.LENGTH]);
            observer.observe(new ConsumerRecords<>(Map.of(tp, List.of(r)), Map.of()), recorder.clock().nowMicros());
        }
        List<String> notes = recorder.report().notes();
        assertThat(notes.stream().filter(n -> n.startsWith("Kafka topic 'create-time-")))
                .hasSize(KafkaStamping.MAX_NOTED_TOPICS);
        assertThat(notes.stream().filter(n -> n.startsWith("more Kafka topics than"))).hasSize(1);
    }
}
