package io.latencylib.kafka.internal;

import io.latencylib.LatencyClock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * The wrapped consumer: a plain class that forwards every method of {@code Consumer} to the application's
 * consumer and observes what {@code poll} returns. No reflection and no argument array per call.
 *
 * <p>It implements the methods of kafka-clients 4.1 and, by reflection, those only 3.x has ({@code poll(long)},
 * {@code committed(TopicPartition)}, {@code committed(TopicPartition, Duration)}). When the running
 * kafka-clients has a method that is not in {@link #IMPLEMENTED} (a newer client),
 * {@link io.latencylib.kafka.KafkaLatency#wrap} uses the dynamic proxy ({@link WrappingHandlers.ConsumerHandler}).
 */
public final class LatencyConsumer<K, V> implements Consumer<K, V> {

    /**
     * Every {@code Consumer} method this class implements, as {@code name(erased parameter types)}; a test
     * checks it against the class. Compared with the running interface without reflecting on this class,
     * whose 4.x-only parameter types ({@code CloseOptions}, {@code SubscriptionPattern}) a 3.9 client lacks.
     */
    public static final Set<String> IMPLEMENTED = Set.of(
            "assign(java.util.Collection)",
            "assignment()",
            "beginningOffsets(java.util.Collection)",
            "beginningOffsets(java.util.Collection,java.time.Duration)",
            "clientInstanceId(java.time.Duration)",
            "close()",
            "close(java.time.Duration)",
            "close(org.apache.kafka.clients.consumer.CloseOptions)",
            "commitAsync()",
            "commitAsync(java.util.Map,org.apache.kafka.clients.consumer.OffsetCommitCallback)",
            "commitAsync(org.apache.kafka.clients.consumer.OffsetCommitCallback)",
            "commitSync()",
            "commitSync(java.time.Duration)",
            "commitSync(java.util.Map)",
            "commitSync(java.util.Map,java.time.Duration)",
            "committed(java.util.Set)",
            "committed(java.util.Set,java.time.Duration)",
            "committed(org.apache.kafka.common.TopicPartition)",
            "committed(org.apache.kafka.common.TopicPartition,java.time.Duration)",
            "currentLag(org.apache.kafka.common.TopicPartition)",
            "endOffsets(java.util.Collection)",
            "endOffsets(java.util.Collection,java.time.Duration)",
            "enforceRebalance()",
            "enforceRebalance(java.lang.String)",
            "groupMetadata()",
            "listTopics()",
            "listTopics(java.time.Duration)",
            "metrics()",
            "offsetsForTimes(java.util.Map)",
            "offsetsForTimes(java.util.Map,java.time.Duration)",
            "partitionsFor(java.lang.String)",
            "partitionsFor(java.lang.String,java.time.Duration)",
            "pause(java.util.Collection)",
            "paused()",
            "poll(java.time.Duration)",
            "poll(long)",
            "position(org.apache.kafka.common.TopicPartition)",
            "position(org.apache.kafka.common.TopicPartition,java.time.Duration)",
            "registerMetricForSubscription(org.apache.kafka.common.metrics.KafkaMetric)",
            "resume(java.util.Collection)",
            "seek(org.apache.kafka.common.TopicPartition,long)",
            "seek(org.apache.kafka.common.TopicPartition,org.apache.kafka.clients.consumer.OffsetAndMetadata)",
            "seekToBeginning(java.util.Collection)",
            "seekToEnd(java.util.Collection)",
            "subscribe(java.util.Collection)",
            "subscribe(java.util.Collection,org.apache.kafka.clients.consumer.ConsumerRebalanceListener)",
            "subscribe(java.util.regex.Pattern)",
            "subscribe(java.util.regex.Pattern,org.apache.kafka.clients.consumer.ConsumerRebalanceListener)",
            "subscribe(org.apache.kafka.clients.consumer.SubscriptionPattern)",
            "subscribe(org.apache.kafka.clients.consumer.SubscriptionPattern,org.apache.kafka.clients.consumer.ConsumerRebalanceListener)",
            "subscription()",
            "unregisterMetricFromSubscription(org.apache.kafka.common.metrics.KafkaMetric)",
            "unsubscribe()",
            "wakeup()");

    private final Consumer<K, V> delegate;
    private final LatencyClock clock;
    private final KafkaStamping.PollObserver observer;

    public LatencyConsumer(Consumer<K, V> delegate, KafkaStamping.PollObserver observer, LatencyClock clock) {
        this.delegate = delegate;
        this.observer = observer;
        this.clock = clock;
    }

    /** The application's consumer. */
    public Consumer<K, V> delegate() {
        return delegate;
    }

    @Override
    public ConsumerRecords<K, V> poll(Duration timeout) {
        // the consumer's time line: free while inside poll(), busy from its return to the next poll()
        observer.pollEntered(clock.nowMicros());
        ConsumerRecords<K, V> result;
        try {
            result = delegate.poll(timeout);
        } catch (RuntimeException | Error e) {
            observer.pollReturned(clock.nowMicros());
            throw e;
        }
        return observed(result);
    }

    /** kafka-clients 3.x only (removed in 4.0): forwarded by reflection, observed like {@link #poll(Duration)}. */
    @SuppressWarnings("unchecked")
    public ConsumerRecords<K, V> poll(long timeoutMs) {
        observer.pollEntered(clock.nowMicros());
        ConsumerRecords<K, V> result;
        try {
            result = (ConsumerRecords<K, V>) Forwarding.call(delegate, Consumer.class, "poll",
                    new Class<?>[] {long.class}, timeoutMs);
        } catch (RuntimeException | Error e) {
            observer.pollReturned(clock.nowMicros());
            throw e;
        }
        return observed(result);
    }

    private ConsumerRecords<K, V> observed(ConsumerRecords<K, V> result) {
        long receive = clock.nowMicros();
        observer.pollReturned(receive);
        if (result != null && !result.isEmpty()) {
            observer.observe(result, receive);
        }
        return result;
    }

    /** kafka-clients 3.x only (removed in 4.0): forwarded by reflection. */
    public OffsetAndMetadata committed(TopicPartition partition) {
        return (OffsetAndMetadata) Forwarding.call(delegate, Consumer.class, "committed",
                new Class<?>[] {TopicPartition.class}, partition);
    }

    /** kafka-clients 3.x only (removed in 4.0): forwarded by reflection. */
    public OffsetAndMetadata committed(TopicPartition partition, Duration timeout) {
        return (OffsetAndMetadata) Forwarding.call(delegate, Consumer.class, "committed",
                new Class<?>[] {TopicPartition.class, Duration.class}, partition, timeout);
    }

    @Override
    public List<PartitionInfo> partitionsFor(String name) {
        return delegate.partitionsFor(name);
    }

    @Override
    public List<PartitionInfo> partitionsFor(String name, Duration timeout) {
        return delegate.partitionsFor(name, timeout);
    }

    @Override
    public Map<String, List<PartitionInfo>> listTopics() {
        return delegate.listTopics();
    }

    @Override
    public Map<String, List<PartitionInfo>> listTopics(Duration timeout) {
        return delegate.listTopics(timeout);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return delegate.metrics();
    }

    @Override
    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
        return delegate.beginningOffsets(partitions);
    }

    @Override
    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions, Duration timeout) {
        return delegate.beginningOffsets(partitions, timeout);
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
        return delegate.endOffsets(partitions);
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
        return delegate.endOffsets(partitions, timeout);
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
        return delegate.committed(partitions);
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
        return delegate.committed(partitions, timeout);
    }

    @Override
    public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> offsets) {
        return delegate.offsetsForTimes(offsets);
    }

    @Override
    public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> offsets, Duration timeout) {
        return delegate.offsetsForTimes(offsets, timeout);
    }

    @Override
    public OptionalLong currentLag(TopicPartition partition) {
        return delegate.currentLag(partition);
    }

    @Override
    public Set<String> subscription() {
        return delegate.subscription();
    }

    @Override
    public Set<TopicPartition> assignment() {
        return delegate.assignment();
    }

    @Override
    public Set<TopicPartition> paused() {
        return delegate.paused();
    }

    @Override
    public long position(TopicPartition partition) {
        return delegate.position(partition);
    }

    @Override
    public long position(TopicPartition partition, Duration timeout) {
        return delegate.position(partition, timeout);
    }

    @Override
    public ConsumerGroupMetadata groupMetadata() {
        return delegate.groupMetadata();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return delegate.clientInstanceId(timeout);
    }

    @Override
    public void assign(Collection<TopicPartition> partitions) {
        delegate.assign(partitions);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void close(Duration timeout) {
        delegate.close(timeout);
    }

    @Override
    public void close(CloseOptions options) {
        delegate.close(options);
    }

    @Override
    public void commitAsync() {
        delegate.commitAsync();
    }

    @Override
    public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
        delegate.commitAsync(offsets, callback);
    }

    @Override
    public void commitAsync(OffsetCommitCallback callback) {
        delegate.commitAsync(callback);
    }

    @Override
    public void commitSync() {
        delegate.commitSync();
    }

    @Override
    public void commitSync(Duration timeout) {
        delegate.commitSync(timeout);
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        delegate.commitSync(offsets);
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        delegate.commitSync(offsets, timeout);
    }

    @Override
    public void enforceRebalance() {
        delegate.enforceRebalance();
    }

    @Override
    public void enforceRebalance(String name) {
        delegate.enforceRebalance(name);
    }

    @Override
    public void pause(Collection<TopicPartition> partitions) {
        delegate.pause(partitions);
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void resume(Collection<TopicPartition> partitions) {
        delegate.resume(partitions);
    }

    @Override
    public void seek(TopicPartition partition, long offset) {
        delegate.seek(partition, offset);
    }

    @Override
    public void seek(TopicPartition partition, OffsetAndMetadata offsetAndMetadata) {
        delegate.seek(partition, offsetAndMetadata);
    }

    @Override
    public void seekToBeginning(Collection<TopicPartition> partitions) {
        delegate.seekToBeginning(partitions);
    }

    @Override
    public void seekToEnd(Collection<TopicPartition> partitions) {
        delegate.seekToEnd(partitions);
    }

    @Override
    public void subscribe(Collection<String> partitions) {
        delegate.subscribe(partitions);
    }

    @Override
    public void subscribe(Collection<String> partitions, ConsumerRebalanceListener listener) {
        delegate.subscribe(partitions, listener);
    }

    @Override
    public void subscribe(Pattern pattern) {
        delegate.subscribe(pattern);
    }

    @Override
    public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
        delegate.subscribe(pattern, listener);
    }

    @Override
    public void subscribe(SubscriptionPattern pattern) {
        delegate.subscribe(pattern);
    }

    @Override
    public void subscribe(SubscriptionPattern pattern, ConsumerRebalanceListener listener) {
        delegate.subscribe(pattern, listener);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void unsubscribe() {
        delegate.unsubscribe();
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public String toString() {
        return "LatencyConsumer[" + delegate + "]";
    }
}
