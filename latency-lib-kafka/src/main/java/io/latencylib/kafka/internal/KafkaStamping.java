package io.latencylib.kafka.internal;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.ByteUtils;
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
    /**
     * Bytes the stamp header adds to a record on the wire and to Kafka's size checks: the header's key
     * and value, each with its varint length (one more when it is the record's 64th header).
     */
    public static final int STAMP_BYTES = ByteUtils.sizeOfVarint(LatencyStamp.HEADER.length())
            + LatencyStamp.HEADER.getBytes(StandardCharsets.UTF_8).length
            + ByteUtils.sizeOfVarint(LatencyStamp.LENGTH) + LatencyStamp.LENGTH;
    /**
     * Partitions a producer numbers on its own for the dispatch estimate; more share lanes (folded by
     * hash), which can only make the estimate coarser, never unbounded in memory.
     */
    static final int MAX_LANES = 1024;
    /** Slots the per-topic lane tables may hold in all (4 bytes each): 16 KiB per producer at most. */
    static final int MAX_LANE_SLOTS = 4 * MAX_LANES;
    /** Topics with CreateTime a consumer names in notes; past that, one last note says there are more. */
    static final int MAX_NOTED_TOPICS = 32;
    private static final Pattern CLIENT_TOO_LARGE =
            Pattern.compile("^The message is (\\d+) bytes when serialized which is larger than (\\d+|the total memory buffer)");

    private KafkaStamping() {
    }

    /** Producer settings the split depends on, read from the producer's configuration. */
    public record ProducerTraits(boolean acksAll, Duration linger, int batchSize, int maxInFlight, String acks,
                                 long bufferMemory) {

        public static ProducerTraits from(Map<String, ?> config) {
            Object acksValue = config.get("acks");
            String acks = acksValue == null ? "all" : acksValue.toString().trim();
            boolean all = acks.equals("all") || acks.equals("-1");
            long lingerMs = parseLong(config.get("linger.ms"), 5);        // Kafka 4 default; 3.x default was 0
            int batch = (int) parseLong(config.get("batch.size"), 16384);
            int inFlight = (int) parseLong(config.get("max.in.flight.requests.per.connection"), 5);
            long bufferMemory = parseLong(config.get("buffer.memory"), 32L * 1024 * 1024);
            return new ProducerTraits(all, Duration.ofMillis(lingerMs), batch, inFlight, acks, bufferMemory);
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
        return attach(record, new RecordHeader(LatencyStamp.HEADER, stamp));
    }

    /** {@link #attach(ProducerRecord, byte[])} with the stamp's header given ({@link AckCallback} is one). */
    public static <K, V> ProducerRecord<K, V> attach(ProducerRecord<K, V> record, Header stampHeader) {
        Headers headers = record.headers();
        try {
            if (headers.lastHeader(LatencyStamp.HEADER) != null) {
                headers.remove(LatencyStamp.HEADER);
            }
            headers.add(stampHeader);
            return record;
        } catch (IllegalStateException readOnly) {
            RecordHeaders copy = new RecordHeaders();
            for (Header h : headers) {
                if (!LatencyStamp.HEADER.equals(h.key())) {
                    copy.add(h);
                }
            }
            copy.add(stampHeader);
            return new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(),
                    record.value(), copy);
        }
    }

    /**
     * Per-producer state of acknowledgements, touched only by the producer's I/O thread. Its memory is
     * bounded: at most {@value #MAX_LANES} lanes and {@value #MAX_LANE_SLOTS} table slots, whatever the
     * number of topics and partitions the producer writes to.
     */
    public static final class AckTracker {
        private final ProducerProbe probe;
        private final LatencyClock clock;
        private final long bufferMemory;
        /** Dense lane index per topic and partition; this producer's own numbering. */
        private final Map<String, int[]> lanesByTopic = new HashMap<>();
        private int laneCount;
        private int laneSlots;
        private long[] lastOffsetByLane = new long[8];
        private int lastLane = -1;
        private long lastCallbackEnd = Long.MIN_VALUE;

        public AckTracker(ProducerProbe probe, LatencyClock clock, long bufferMemory) {
            this.probe = probe;
            this.clock = clock;
            this.bufferMemory = bufferMemory;
        }

        /**
         * When the stamp is what made a record too large for the producer's {@code max.request.size} or
         * {@code buffer.memory}, a {@link RecordTooLargeException} whose message says so; otherwise
         * {@code failure} itself.
         */
        public Exception explain(Exception failure) {
            return failure instanceof RecordTooLargeException tooLarge ? explainTooLarge(tooLarge, bufferMemory) : failure;
        }

        /**
         * An acknowledgement (or failure) arrived for the record carrying {@code stamp}.
         *
         * @return the instant it was read (the clock's one read per acknowledgement), or {@link Long#MIN_VALUE}
         */
        public long onAck(byte[] stamp, RecordMetadata metadata, Exception exception) {
            long ack = Long.MIN_VALUE;
            try {
                ack = clock.nowMicros();
                if (exception != null || metadata == null || !metadata.hasOffset()) {
                    probe.failed(stamp);
                    return ack;
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
            return ack;
        }

        int lane(String topic, int partition) {
            int[] lanes = lanesByTopic.get(topic);
            if (lanes == null || partition >= lanes.length) {
                int length = Math.max(partition + 1, lanes == null ? 1 : lanes.length * 2);
                int added = length - (lanes == null ? 0 : lanes.length);
                if (partition < 0 || laneCount >= MAX_LANES || laneSlots + added > MAX_LANE_SLOTS) {
                    return folded(topic, partition);
                }
                laneSlots += added;
                int[] grown = new int[length];
                java.util.Arrays.fill(grown, -1);
                if (lanes != null) {
                    System.arraycopy(lanes, 0, grown, 0, lanes.length);
                }
                lanes = grown;
                lanesByTopic.put(topic, lanes);
            }
            if (lanes[partition] < 0) {
                if (laneCount >= MAX_LANES) {
                    return folded(topic, partition);
                }
                lanes[partition] = laneCount++;
                if (laneCount > lastOffsetByLane.length) {
                    lastOffsetByLane = java.util.Arrays.copyOf(lastOffsetByLane, laneCount * 2);
                }
                lastOffsetByLane[lanes[partition]] = -2;
            }
            return lanes[partition];
        }

        /** A lane for a partition past the bounds: shared, by hash, with others. */
        private static int folded(String topic, int partition) {
            return Math.floorMod(topic.hashCode() * 31 + partition, MAX_LANES);
        }

        int laneCount() {
            return laneCount;
        }

        /** The application's callback for the acknowledgement returned. */
        public void callbackReturned() {
            lastCallbackEnd = clock.nowMicros();
        }

        /**
         * There was no application callback for the acknowledgement read at {@code ackMicros}: the callback
         * "ended" then (what the library did since is a fraction of a microsecond, against the 50 µs that tell
         * responses apart), and the clock is not read a second time on the producer's I/O thread.
         */
        public void noCallback(long ackMicros) {
            lastCallbackEnd = ackMicros;
        }
    }

    /**
     * Wraps the application's callback, recording the acknowledgement first. A failure the stamp
     * caused is handed to the application explained (see {@link AckTracker#explain}) and kept for the
     * future that {@code send} returns. It is also the stamp's record header ({@link LatencyStamp#HEADER}, the
     * stamp as its value): one object per send besides the stamp, where a {@code RecordHeader} and a callback
     * would be two.
     */
    public static final class AckCallback implements Callback, Header {
        private final AckTracker tracker;
        private final byte[] stamp;
        private final Callback user;
        private Exception explained;

        public AckCallback(AckTracker tracker, byte[] stamp, Callback user) {
            this.tracker = tracker;
            this.stamp = stamp;
            this.user = user;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            long ack = tracker.onAck(stamp, metadata, exception);
            if (user == null && exception == null) {
                tracker.noCallback(ack);
                return;
            }
            Exception delivered = exception;
            if (exception != null) {
                delivered = tracker.explain(exception);
                if (delivered != exception) {
                    explained = delivered;
                }
            }
            try {
                if (user != null) {
                    user.onCompletion(metadata, delivered);
                }
            } finally {
                tracker.callbackReturned();
            }
        }

        @Override
        public String key() {
            return LatencyStamp.HEADER;
        }

        @Override
        public byte[] value() {
            return stamp;
        }

        @Override
        public String toString() {
            return "RecordHeader(key = " + LatencyStamp.HEADER + ", value = " + Arrays.toString(stamp) + ")";
        }

        /** @return the explained failure handed to the application, or null (read it on the sending thread) */
        public Exception explained() {
            return explained;
        }
    }

    /**
     * When the record was too large for the producer's own limit only because of the stamp (Kafka's
     * message gives the size and the limit), the same exception type with a message that says so
     * and how to fix it; the original is its cause. Otherwise {@code failure} itself. Limits the
     * broker checks ({@code message.max.bytes}, the topic's {@code max.message.bytes}) come back
     * without sizes: such a failure keeps its identity and message, with a note attached as a
     * suppressed exception saying what the stamp adds.
     */
    public static RecordTooLargeException explainTooLarge(RecordTooLargeException failure, long bufferMemory) {
        String explanation = stampExplanation(failure, bufferMemory);
        if (explanation == null) {
            return failure;
        }
        RecordTooLargeException explained = new RecordTooLargeException(failure.getMessage() + " " + explanation,
                failure);
        explained.setStackTrace(failure.getStackTrace());
        return explained;
    }

    /**
     * For a path that cannot replace the exception (an interceptor): attaches what {@link #explainTooLarge}
     * would have said as a suppressed note to {@code failure} itself, once.
     */
    public static void noteTooLarge(Exception failure, long bufferMemory) {
        if (failure instanceof RecordTooLargeException tooLarge) {
            String explanation = stampExplanation(tooLarge, bufferMemory);
            if (explanation != null) {
                attachNote(failure, "latency-lib: " + explanation);
            }
        }
    }

    /** What the stamp has to do with the failure, when Kafka's message shows it; null when the stamp did not cause it. */
    private static String stampExplanation(RecordTooLargeException failure, long bufferMemory) {
        String message = failure.getMessage();
        Matcher m = message == null ? null : CLIENT_TOO_LARGE.matcher(message);
        if (m == null || !m.find()) {
            if (message != null && message.contains("server will accept")) {
                attachNote(failure, "latency-lib: the latency stamp header adds " + STAMP_BYTES + " bytes to every"
                        + " record; if this record is within " + STAMP_BYTES + " bytes of the broker's limit"
                        + " (message.max.bytes, or the topic's max.message.bytes), the stamp made it too large:"
                        + " raise that limit by " + STAMP_BYTES + " bytes");
            }
            return null;
        }
        long size = Long.parseLong(m.group(1));
        boolean buffer = !Character.isDigit(m.group(2).charAt(0));
        long limit = buffer ? bufferMemory : Long.parseLong(m.group(2));
        if (size <= limit || size - STAMP_BYTES > limit) {
            return null; // too large with or without the stamp: the application's own record
        }
        String setting = buffer ? "buffer.memory" : "max.request.size";
        return "The latency stamp header (latency-lib) added " + STAMP_BYTES + " bytes to this record: without it"
                + " the record is " + (size - STAMP_BYTES) + " bytes and fits. Fix: raise " + setting + " by "
                + STAMP_BYTES + " bytes (to " + (limit + STAMP_BYTES) + ") so that every record that fits without"
                + " the stamp fits with it.";
    }

    private static void attachNote(Throwable failure, String note) {
        for (Throwable s : failure.getSuppressed()) {
            if (note.equals(s.getMessage())) {
                return;
            }
        }
        failure.addSuppressed(new StampNote(note));
    }

    /** A note attached to a client's exception (as suppressed): what the stamp has to do with it. */
    static final class StampNote extends Throwable {
        private static final long serialVersionUID = 1L;

        StampNote(String note) {
            super(note, null, false, false);
        }
    }

    /**
     * Per-consumer observation of polled records. Its memory is bounded: it remembers at most
     * {@value #MAX_NOTED_TOPICS} topics it has noted for using CreateTime.
     */
    public static final class PollObserver {
        private final ConsumerProbe probe;
        private final LatencyRecorder recorder;
        private final Set<String> createTimeTopics = new HashSet<>();
        private boolean createTimeNotesFull;
        private boolean failureLogged;

        public PollObserver(LatencyRecorder recorder) {
            this.recorder = recorder;
            this.probe = recorder.newConsumerProbe("kafka");
        }

        public ConsumerProbe probe() {
            return probe;
        }

        /** Records what one poll returned, all of it reaching the application at {@code receive}. */
        public void observe(ConsumerRecords<?, ?> records, long receive) {
            try {
                for (TopicPartition tp : records.partitions()) {
                    int lane = probe.lane(tp);
                    for (ConsumerRecord<?, ?> r : records.records(tp)) {
                        Header h = StampHeaders.last(r.headers());
                        byte[] stamp = h == null ? null : h.value();
                        long append = ConsumerProbe.NO_APPEND_TIME;
                        if (r.timestampType() == TimestampType.LOG_APPEND_TIME) {
                            append = r.timestamp();
                        } else if (stamp != null && !createTimeNotesFull) {
                            noteCreateTime(r);
                        }
                        probe.received(stamp, lane, append, receive);
                    }
                }
            } catch (RuntimeException e) {
                logOnce(e);
            }
        }

        private void noteCreateTime(ConsumerRecord<?, ?> r) {
            if (createTimeTopics.size() >= MAX_NOTED_TOPICS) {
                createTimeNotesFull = true;
                createTimeTopics.clear();
                recorder.note("more Kafka topics than the " + MAX_NOTED_TOPICS + " named above use CreateTime: they"
                        + " are not named one by one; their publish and commit are reported merged too");
            } else if (createTimeTopics.add(r.topic())) {
                recorder.note("Kafka topic '" + r.topic() + "' uses " + r.timestampType()
                        + ": the broker's append time is not observed, so publish and commit are"
                        + " reported merged; create the topic with message.timestamp.type=LogAppendTime"
                        + " (KafkaLatency.ensureLogAppendTime) to split them");
            }
        }

        /** Entering poll(): the application asks for messages from now on. */
        public void pollEntered(long now) {
            try {
                probe.free(now);
            } catch (RuntimeException e) {
                logOnce(e);
            }
        }

        /** poll() returned (records, nothing, or an exception): the application handles what it got from now on. */
        public void pollReturned(long now) {
            try {
                probe.busy(now);
            } catch (RuntimeException e) {
                logOnce(e);
            }
        }

        private void logOnce(RuntimeException e) {
            if (!failureLogged) {
                failureLogged = true;
                log.warn("latency-lib could not record polled records; the application is not affected", e);
            }
        }
    }
}
