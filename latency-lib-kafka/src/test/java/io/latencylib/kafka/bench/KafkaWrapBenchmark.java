package io.latencylib.kafka.bench;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import io.latencylib.kafka.KafkaLatency;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of the Kafka wrappers' own per-message path, around stand-in clients that do nothing
 * (no broker, no serialization): {@code KafkaLatency.wrap(producer).send(record)} (stamp, header,
 * acknowledgement callback), the acknowledgement as the producer's I/O thread delivers it (the
 * callback: dispatch estimate and producer half of the join), and {@code KafkaLatency.wrap(consumer).poll()}
 * returning the message (the join, the five-stage split and its recording). With the system clock
 * that is three clock reads per message on the producer side (send, send returned, acknowledgement)
 * and two per poll on the consumer side.
 *
 * <ul>
 *   <li>{@code rawSendAndAck}: the stand-in producer alone, the callback called as Kafka would: the baseline.</li>
 *   <li>{@code wrappedSendAndAck}: the same through the wrapper (the application's and the I/O thread's cost).</li>
 *   <li>{@code cyclePollPerMessage}: a message sent and acknowledged through the wrapper, then a wrapped poll
 *       returning it (a poll per message, the worst case: the poll's two clock reads in every message).</li>
 *   <li>{@code cyclePollOf100}: 100 messages sent and acknowledged, then one wrapped poll returning them all
 *       (a busy consumer); the score is per message.</li>
 * </ul>
 * Allocation ({@code -prof gc}, {@code gc.alloc.rate.norm}): per message the 34-byte stamp (56 B), the
 * client's header object that carries it ({@code RecordHeader}, 24 B), and the acknowledgement callback
 * that carries the stamp to the I/O thread (24 B). The consumer records here are reused (a client makes
 * new ones, and their header objects, itself).
 *
 * <p>Run: {@code ./mvnw -q -o -pl latency-lib-kafka -am test-compile exec:exec@bench-kafka}
({@code -Djmh.args="KafkaWrapBenchmark.cycle -prof gc -f 1"} for others).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
public class KafkaWrapBenchmark {

    static final String TOPIC = "bench";
    static final int PARTITION = 0;
    static final long T0 = 1_700_000_000_000_000L;

    /** A clock that never moves: the path without the cost of reading the time. */
    static final class ConstantClock implements LatencyClock {
        @Override
        public long nowMicros() {
            return T0;
        }
    }

    @State(Scope.Thread)
    public static class Path {
        @Param({"system", "constant"})
        String clock;
        StandInProducer rawProducer;
        Producer<byte[], byte[]> producer;
        Consumer<byte[], byte[]> consumer1;
        Consumer<byte[], byte[]> consumer100;
        LatencyClock latencyClock;
        ProducerRecord<byte[], byte[]> record;
        RecordMetadata[] metadata;
        MutableRecord[] polled1;
        MutableRecord[] polled100;
        int next;

        @Setup
        public void setup() {
            LatencyRecorder.Builder b = LatencyRecorder.builder();
            if (clock.equals("constant")) {
                b.clock(new ConstantClock());
            }
            LatencyRecorder recorder = b.build();
            latencyClock = recorder.clock();
            rawProducer = new StandInProducer();
            producer = KafkaLatency.wrap(rawProducer, Map.of("acks", "all", "linger.ms", "5", "batch.size", "131072"),
                    recorder);
            record = new ProducerRecord<>(TOPIC, PARTITION, null, new byte[1024]);
            TopicPartition tp = new TopicPartition(TOPIC, PARTITION);
            metadata = new RecordMetadata[1024];
            for (int i = 0; i < metadata.length; i++) {
                metadata[i] = new RecordMetadata(tp, i, 0, RecordMetadata.UNKNOWN_PARTITION, 0, 1024);
            }
            polled1 = records(1);
            polled100 = records(100);
            consumer1 = KafkaLatency.wrap(new StandInConsumer(tp, polled1), recorder);
            consumer100 = KafkaLatency.wrap(new StandInConsumer(tp, polled100), recorder);
        }

        private static MutableRecord[] records(int n) {
            MutableRecord[] r = new MutableRecord[n];
            for (int i = 0; i < n; i++) {
                r[i] = new MutableRecord(i);
            }
            return r;
        }

        /** {@code polled.length} messages sent and acknowledged, then one wrapped poll returns them all. */
        int cycle(MutableRecord[] polled, Consumer<byte[], byte[]> consumer) {
            for (MutableRecord r : polled) {
                byte[] stamp = sendAndAck();
                r.stamp.value = stamp;
                r.appendMillis = LatencyStamp.sendMicros(stamp) / 1000;
            }
            return consumer.poll(Duration.ZERO).count();
        }

        /** One message sent through the wrapper and acknowledged as the I/O thread would; returns its stamp. */
        byte[] sendAndAck() {
            producer.send(record);
            RecordMetadata m = metadata[next++ & (metadata.length - 1)];
            rawProducer.callback.onCompletion(m, null);
            return record.headers().lastHeader(LatencyStamp.HEADER).value();
        }
    }

    /** The stand-in producer alone: what {@code wrappedSendAndAck} costs without the wrapper. */
    @Benchmark
    public Future<RecordMetadata> rawSendAndAck(Path s) {
        Future<RecordMetadata> f = s.rawProducer.send(s.record, NOOP);
        s.rawProducer.callback.onCompletion(s.metadata[s.next++ & (s.metadata.length - 1)], null);
        return f;
    }

    /** One message through the wrapped producer and its acknowledgement callback. */
    @Benchmark
    public byte[] wrappedSendAndAck(Path s) {
        return s.sendAndAck();
    }

    /** One message sent, acknowledged, and returned by a poll of its own (the worst case: two clock reads a poll). */
    @Benchmark
    public int cyclePollPerMessage(Path s) {
        return s.cycle(s.polled1, s.consumer1);
    }

    /** 100 messages sent and acknowledged, then one poll returns them all (a busy consumer); per message. */
    @Benchmark
    @OperationsPerInvocation(100)
    public int cyclePollOf100(Path s) {
        return s.cycle(s.polled100, s.consumer100);
    }

    private static final Callback NOOP = (m, e) -> { };

    /** A record the stand-in consumer returns again and again, with the latest stamp and append time. */
    static final class MutableRecord extends ConsumerRecord<byte[], byte[]> {
        final MutableHeader stamp;
        long appendMillis;

        MutableRecord(long offset) {
            this(offset, new MutableHeader());
        }

        private MutableRecord(long offset, MutableHeader stamp) {
            super(TOPIC, PARTITION, offset, 0L, TimestampType.LOG_APPEND_TIME, 0, 1024, null, new byte[1024],
                    new RecordHeaders(new Header[] {stamp}), java.util.Optional.empty());
            this.stamp = stamp;
        }

        @Override
        public long timestamp() {
            return appendMillis;
        }
    }

    /** The stamp header of a {@link MutableRecord}. */
    static final class MutableHeader implements Header {
        byte[] value;

        @Override
        public String key() {
            return LatencyStamp.HEADER;
        }

        @Override
        public byte[] value() {
            return value;
        }
    }

    /** A producer that keeps the callback of the last send and answers with a completed future. */
    static final class StandInProducer implements Producer<byte[], byte[]> {
        static final Future<RecordMetadata> DONE = CompletableFuture.completedFuture(null);
        Callback callback;

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
            return send(record, null);
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            this.callback = callback;
            return DONE;
        }

        // the rest is never called here
        @Override public void initTransactions() { throw new UnsupportedOperationException(); }
        @Override public void beginTransaction() { throw new UnsupportedOperationException(); }
        @Override public void sendOffsetsToTransaction(Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> o,
                org.apache.kafka.clients.consumer.ConsumerGroupMetadata g) { throw new UnsupportedOperationException(); }
        @Override public void commitTransaction() { throw new UnsupportedOperationException(); }
        @Override public void abortTransaction() { throw new UnsupportedOperationException(); }
        @Override public void registerMetricForSubscription(org.apache.kafka.common.metrics.KafkaMetric m) { }
        @Override public void unregisterMetricFromSubscription(org.apache.kafka.common.metrics.KafkaMetric m) { }
        @Override public void flush() { }
        @Override public List<org.apache.kafka.common.PartitionInfo> partitionsFor(String topic) { return List.of(); }
        @Override public Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics() { return Map.of(); }
        @Override public org.apache.kafka.common.Uuid clientInstanceId(Duration timeout) { throw new UnsupportedOperationException(); }
        @Override public void close() { }
        @Override public void close(Duration timeout) { }
    }

    /** A consumer whose poll returns the same records every time. */
    static final class StandInConsumer extends org.apache.kafka.clients.consumer.MockConsumer<byte[], byte[]> {
        private final ConsumerRecords<byte[], byte[]> records;

        StandInConsumer(TopicPartition tp, MutableRecord[] polled) {
            super("earliest");
            this.records = new ConsumerRecords<>(Map.of(tp, List.of(polled)), Map.of());
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            return records;
        }
    }

    public static void main(String[] args) throws Exception {
        org.openjdk.jmh.Main.main(args.length > 0 ? args
                : new String[] {KafkaWrapBenchmark.class.getName(), "-prof", "gc"});
    }
}
