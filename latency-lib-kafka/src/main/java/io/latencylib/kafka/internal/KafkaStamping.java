package io.latencylib.kafka.internal;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Kafka wrappers and interceptors share: stamping a record, observing an acknowledgement
 * and observing what a poll returned. Never throws into the application's path.
 */
public final class KafkaStamping {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.kafka");
    /** Bytes a record costs in a batch besides key and value: the stamp header and record overhead. */
    private static final int RECORD_OVERHEAD = LatencyStamp.LENGTH + LatencyStamp.HEADER.length() + 24;
    /** Acknowledgements closer than this to the previous callback's end came in the same response. */
    private static final long SAME_RESPONSE_GAP_MICROS = 50;

    private KafkaStamping() {
    }

    /** Producer settings the split depends on, read from the producer's configuration. */
    public record ProducerTraits(boolean acksAll, Duration linger, int batchSize, int maxInFlight, String acks) {

        public static ProducerTraits from(Map<String, ?> config) {
            Object acksValue = config.get("acks");
            String acks = acksValue == null ? "all" : acksValue.toString().trim();
            boolean all = acks.equals("all") || acks.equals("-1");
            long lingerMs = parseLong(config.get("linger.ms"), 5);        // Kafka 4 default; 3.x default was 0
            int batch = (int) parseLong(config.get("batch.size"), 16384);
            int inFlight = (int) parseLong(config.get("max.in.flight.requests.per.connection"), 5);
            return new ProducerTraits(all, Duration.ofMillis(lingerMs), batch, inFlight, acks);
        }

        private static long parseLong(Object v, long dflt) {
            if (v == null) {
                return dflt;
            }
            try {
                return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
    }

    public static ProducerProbe newProducerProbe(LatencyRecorder recorder, ProducerTraits traits) {
        if (!traits.acksAll()) {
            recorder.note("a Kafka producer uses acks=" + traits.acks() + ": its acknowledgement does not mean the"
                    + " message is committed, so the end of commit is not observed and commit is reported merged"
                    + " with catch-up and fetch; use acks=all to see it");
        }
        return recorder.newProducerProbe("kafka", traits.acksAll(), traits.linger(), traits.batchSize(),
                traits.maxInFlight());
    }

    /**
     * Puts {@code stamp} into the record's headers, replacing an older stamp. If the headers are
     * read-only (a record reused after send), returns a copy with the application's headers and
     * the new stamp; the original record is not changed.
     */
    public static <K, V> ProducerRecord<K, V> attach(ProducerRecord<K, V> record, byte[] stamp) {
        Headers headers = record.headers();
        try {
            if (headers.lastHeader(LatencyStamp.HEADER) != null) {
                headers.remove(LatencyStamp.HEADER);
            }
            headers.add(LatencyStamp.HEADER, stamp);
            return record;
        } catch (IllegalStateException readOnly) {
            RecordHeaders copy = new RecordHeaders();
            for (Header h : headers) {
                if (!LatencyStamp.HEADER.equals(h.key())) {
                    copy.add(h);
                }
            }
            copy.add(LatencyStamp.HEADER, stamp);
            return new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(),
                    record.value(), copy);
        }
    }

    /** Per-producer state of acknowledgements, touched only by the producer's I/O thread. */
    public static final class AckTracker {
        private final ProducerProbe probe;
        private final LatencyClock clock;
        /** Dense lane index per topic and partition; this producer's own numbering. */
        private final Map<String, int[]> lanesByTopic = new HashMap<>();
        private int laneCount;
        private long[] lastOffsetByLane = new long[8];
        private int lastLane = -1;
        private long lastCallbackEnd = Long.MIN_VALUE;

        public AckTracker(ProducerProbe probe, LatencyClock clock) {
            this.probe = probe;
            this.clock = clock;
        }

        /** An acknowledgement (or failure) arrived for the record carrying {@code stamp}. */
        public void onAck(byte[] stamp, RecordMetadata metadata, Exception exception) {
            try {
                long ack = clock.nowMicros();
                if (exception != null || metadata == null || !metadata.hasOffset()) {
                    probe.failed(stamp);
                    return;
                }
                // Records of one batch are acknowledged one right after the other, with consecutive offsets.
                int lane = lane(metadata.topic(), metadata.partition());
                // The batches of one response are acknowledged back to back, a few microseconds apart.
                long gap = ack - lastCallbackEnd;
                int relation = lane == lastLane && metadata.offset() == lastOffsetByLane[lane] + 1 && gap < 1_000
                        ? ProducerProbe.SAME_BATCH
                        : gap < SAME_RESPONSE_GAP_MICROS ? ProducerProbe.SAME_REQUEST : ProducerProbe.NEW_REQUEST;
                lastLane = lane;
                lastOffsetByLane[lane] = metadata.offset();
                int bytes = Math.max(0, metadata.serializedKeySize()) + Math.max(0, metadata.serializedValueSize())
                        + RECORD_OVERHEAD;
                probe.acked(stamp, ack, ProducerProbe.ESTIMATE, lane, relation, bytes);
            } catch (RuntimeException e) {
                log.warn("latency-lib could not record an acknowledgement; the application is not affected", e);
            }
        }

        private int lane(String topic, int partition) {
            int[] lanes = lanesByTopic.get(topic);
            if (lanes == null || partition >= lanes.length) {
                int[] grown = new int[Math.max(partition + 1, lanes == null ? 1 : lanes.length * 2)];
                java.util.Arrays.fill(grown, -1);
                if (lanes != null) {
                    System.arraycopy(lanes, 0, grown, 0, lanes.length);
                }
                lanes = grown;
                lanesByTopic.put(topic, lanes);
            }
            if (lanes[partition] < 0) {
                lanes[partition] = laneCount++;
                if (laneCount > lastOffsetByLane.length) {
                    lastOffsetByLane = java.util.Arrays.copyOf(lastOffsetByLane, laneCount * 2);
                }
                lastOffsetByLane[lanes[partition]] = -2;
            }
            return lanes[partition];
        }

        /** The application's callback for the acknowledgement returned. */
        public void callbackReturned() {
            lastCallbackEnd = clock.nowMicros();
        }
    }

    /** Wraps the application's callback, recording the acknowledgement first. */
    public static final class AckCallback implements Callback {
        private final AckTracker tracker;
        private final byte[] stamp;
        private final Callback user;

        public AckCallback(AckTracker tracker, byte[] stamp, Callback user) {
            this.tracker = tracker;
            this.stamp = stamp;
            this.user = user;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            tracker.onAck(stamp, metadata, exception);
            try {
                if (user != null) {
                    user.onCompletion(metadata, exception);
                }
            } finally {
                tracker.callbackReturned();
            }
        }
    }

    /** Per-consumer observation of polled records. */
    public static final class PollObserver {
        private final ConsumerProbe probe;
        private final LatencyRecorder recorder;
        private final Set<String> createTimeTopics = ConcurrentHashMap.newKeySet();
        private boolean failureLogged;

        public PollObserver(LatencyRecorder recorder) {
            this.recorder = recorder;
            this.probe = recorder.newConsumerProbe();
        }

        public ConsumerProbe probe() {
            return probe;
        }

        /** Records what one poll returned; {@code ready} may be ABSENT when the poll start is not visible. */
        public void observe(ConsumerRecords<?, ?> records, long ready, long receive) {
            try {
                for (TopicPartition tp : records.partitions()) {
                    int lane = probe.lane(tp);
                    for (ConsumerRecord<?, ?> r : records.records(tp)) {
                        Header h = r.headers().lastHeader(LatencyStamp.HEADER);
                        byte[] stamp = h == null ? null : h.value();
                        long append = ConsumerProbe.NO_APPEND_TIME;
                        if (r.timestampType() == TimestampType.LOG_APPEND_TIME) {
                            append = r.timestamp();
                        } else if (stamp != null && createTimeTopics.add(r.topic())) {
                            recorder.note("Kafka topic '" + r.topic() + "' uses " + r.timestampType()
                                    + ": the broker's append time is not observed, so publish and commit are"
                                    + " reported merged; create the topic with message.timestamp.type=LogAppendTime"
                                    + " (KafkaLatency.ensureLogAppendTime) to split them");
                        }
                        probe.received(stamp, lane, append, ready, receive);
                    }
                }
            } catch (RuntimeException e) {
                if (!failureLogged) {
                    failureLogged = true;
                    log.warn("latency-lib could not record polled records; the application is not affected", e);
                }
            }
        }
    }
}
