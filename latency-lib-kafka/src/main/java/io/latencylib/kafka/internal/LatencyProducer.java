package io.latencylib.kafka.internal;

import io.latencylib.LatencyClock;
import io.latencylib.spi.PacedSend;
import io.latencylib.spi.ProducerProbe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * The wrapped producer: a plain class that forwards every method of {@code Producer} to the application's
 * producer, stamping on {@code send} and telling the probe about transactions and close. No reflection and
 * no argument array per call (the dynamic proxy this replaces cost both on every send).
 *
 * <p>It implements the methods of the kafka-clients it was compiled against (4.1) and, by reflection, those
 * that only older supported clients have ({@code sendOffsetsToTransaction(Map, String)}, gone in 4.0).
 * When the running kafka-clients has a method this class does not implement (a newer client),
 * {@link io.latencylib.kafka.KafkaLatency#wrap} uses the dynamic proxy ({@link WrappingHandlers.ProducerHandler})
 * instead, which serves every method of the running interface (see {@link Forwarding#implementsAll}).
 */
public final class LatencyProducer<K, V> implements Producer<K, V> {

    /**
     * Every {@code Producer} method this class implements, as {@code name(erased parameter types)}; a test
     * checks it against the class. Compared with the running interface without reflecting on this class.
     */
    public static final Set<String> IMPLEMENTED = Set.of(
            "abortTransaction()",
            "beginTransaction()",
            "clientInstanceId(java.time.Duration)",
            "close()",
            "close(java.time.Duration)",
            "commitTransaction()",
            "flush()",
            "initTransactions()",
            "metrics()",
            "partitionsFor(java.lang.String)",
            "registerMetricForSubscription(org.apache.kafka.common.metrics.KafkaMetric)",
            "send(org.apache.kafka.clients.producer.ProducerRecord)",
            "send(org.apache.kafka.clients.producer.ProducerRecord,org.apache.kafka.clients.producer.Callback)",
            "sendOffsetsToTransaction(java.util.Map,java.lang.String)",
            "sendOffsetsToTransaction(java.util.Map,org.apache.kafka.clients.consumer.ConsumerGroupMetadata)",
            "unregisterMetricFromSubscription(org.apache.kafka.common.metrics.KafkaMetric)");

    private final Producer<K, V> delegate;
    private final ProducerProbe probe;
    private final LatencyClock clock;
    private final KafkaStamping.AckTracker acks;

    public LatencyProducer(Producer<K, V> delegate, ProducerProbe probe, LatencyClock clock, long bufferMemory) {
        this.delegate = delegate;
        this.probe = probe;
        this.clock = clock;
        this.acks = new KafkaStamping.AckTracker(probe, clock, bufferMemory);
    }

    /** The application's producer. */
    public Producer<K, V> delegate() {
        return delegate;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
        return record == null ? delegate.send(null) : send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        if (record == null) {
            return delegate.send(null, callback); // the client's own answer to a null record
        }
        long now = clock.nowMicros();
        byte[] stamp = probe.beginSend(now, PacedSend.takeIntended());
        KafkaStamping.AckCallback ackCallback = new KafkaStamping.AckCallback(acks, stamp, callback); // also the header
        ProducerRecord<K, V> stamped = KafkaStamping.attach(record, ackCallback);
        Future<RecordMetadata> future;
        try {
            future = delegate.send(stamped, ackCallback);
        } catch (RuntimeException e) {
            probe.failed(stamp);
            throw (RuntimeException) acks.explain(e);
        } catch (Error e) {
            probe.failed(stamp);
            throw e;
        }
        probe.sendReturned(stamp, clock.nowMicros());
        // Kafka reports a record too large for max.request.size through the callback, before send
        // returns, and through a future that has already failed: that future says the same as the callback
        Exception explained = ackCallback.explained();
        return explained == null ? future : new WrappingHandlers.FailedSend(explained);
    }

    @Override
    public void initTransactions() {
        delegate.initTransactions();
    }

    @Override
    public void beginTransaction() throws ProducerFencedException {
        delegate.beginTransaction();
        WrappingHandlers.quietly(probe::transactionBegan);
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
                                         ConsumerGroupMetadata groupMetadata) throws ProducerFencedException {
        delegate.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    /** kafka-clients 3.x only (removed in 4.0): forwarded by reflection. */
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, String consumerGroupId)
            throws ProducerFencedException {
        Forwarding.call(delegate, Producer.class, "sendOffsetsToTransaction", new Class<?>[] {Map.class, String.class},
                offsets, consumerGroupId);
    }

    @Override
    public void commitTransaction() throws ProducerFencedException {
        delegate.commitTransaction();
        long now = clock.nowMicros();
        WrappingHandlers.quietly(() -> probe.transactionCommitted(now));
    }

    @Override
    public void abortTransaction() throws ProducerFencedException {
        delegate.abortTransaction();
        WrappingHandlers.quietly(probe::transactionAborted);
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } finally {
            WrappingHandlers.quietly(probe::close); // its join table is released once nothing waits in it
        }
    }

    @Override
    public void close(Duration timeout) {
        try {
            delegate.close(timeout);
        } finally {
            WrappingHandlers.quietly(probe::close);
        }
    }

    /** The producer was closed (by a {@code close} method this class may not know): the probe is told. */
    void closed() {
        WrappingHandlers.quietly(probe::close);
    }

    @Override
    public String toString() {
        return "LatencyProducer[" + delegate + "]";
    }
}
