package io.latencylib.spring.boot.internal;

import io.latencylib.LatencyRecorder;
import io.latencylib.pulsar.LatencyConsumerInterceptor;
import io.latencylib.pulsar.LatencyProducerInterceptor;
import io.latencylib.pulsar.PulsarLatency;
import io.latencylib.spring.boot.LatencyRecorders;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.ConsumerInterceptor;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.interceptor.ProducerInterceptor;

/**
 * One recorder per topic for the producers and consumers Spring for Apache Pulsar makes, through
 * latency-lib-pulsar's interceptors: each message goes to the interceptor of its topic (a partitioned
 * topic is one destination; {@code persistent://public/default/x} is named {@code x}).
 */
public final class PulsarRouting {

    private static final Pattern PARTITION = Pattern.compile("-partition-\\d+$");
    private static final String DEFAULT_NAMESPACE = "persistent://public/default/";

    private PulsarRouting() {
    }

    /** The destination name of a topic: without the partition suffix, short in public/default. */
    public static String destination(String topic) {
        String t = PARTITION.matcher(topic).replaceFirst("");
        return t.startsWith(DEFAULT_NAMESPACE) ? t.substring(DEFAULT_NAMESPACE.length()) : t;
    }

    /** Producer side: a {@code ProducerInterceptor} for every producer of the {@code PulsarTemplate}. */
    public static final class RoutingProducerInterceptor implements ProducerInterceptor {
        private final LatencyRecorders recorders;
        private final Map<String, Optional<LatencyProducerInterceptor>> byTopic = new ConcurrentHashMap<>();

        public RoutingProducerInterceptor(LatencyRecorders recorders) {
            this.recorders = recorders;
        }

        private Optional<LatencyProducerInterceptor> of(Producer<?> producer) {
            String topic = producer.getTopic();
            Optional<LatencyProducerInterceptor> i = byTopic.get(topic);
            if (i == null) {
                Optional<LatencyRecorder> recorder = recorders.recorderFor(PulsarLatency.SYSTEM, destination(topic));
                i = byTopic.computeIfAbsent(topic, t -> recorder.map(LatencyProducerInterceptor::new));
            }
            return i;
        }

        @Override
        public boolean eligible(@SuppressWarnings("rawtypes") Message message) {
            return true;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Message beforeSend(Producer producer, Message message) {
            Optional<LatencyProducerInterceptor> i = of(producer);
            return i.isPresent() ? i.get().beforeSend(producer, message) : message;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public void onSendAcknowledgement(Producer producer, Message message, MessageId msgId, Throwable exception) {
            Optional<LatencyProducerInterceptor> i = of(producer);
            if (i.isPresent()) {
                i.get().onSendAcknowledgement(producer, message, msgId, exception);
            }
        }

        @Override
        public void close() {
            // shared by every producer of the template: nothing to release per producer
        }
    }

    /** Consumer side: an interceptor added to every consumer builder of the consumer factory. */
    public static final class RoutingConsumerInterceptor<T> implements ConsumerInterceptor<T> {
        private final LatencyRecorders recorders;
        private final Map<String, Optional<LatencyConsumerInterceptor<T>>> byTopic = new ConcurrentHashMap<>();

        public RoutingConsumerInterceptor(LatencyRecorders recorders) {
            this.recorders = recorders;
        }

        @Override
        public Message<T> beforeConsume(Consumer<T> consumer, Message<T> message) {
            String topic = message.getTopicName();
            Optional<LatencyConsumerInterceptor<T>> i = byTopic.get(topic);
            if (i == null) {
                Optional<LatencyRecorder> recorder = recorders.recorderFor(PulsarLatency.SYSTEM, destination(topic));
                i = byTopic.computeIfAbsent(topic, t -> recorder.map(LatencyConsumerInterceptor::new));
            }
            return i.isPresent() ? i.get().beforeConsume(consumer, message) : message;
        }

        @Override
        public void onAcknowledge(Consumer<T> consumer, MessageId messageId, Throwable exception) {
        }

        @Override
        public void onAcknowledgeCumulative(Consumer<T> consumer, MessageId messageId, Throwable exception) {
        }

        @Override
        public void onNegativeAcksSend(Consumer<T> consumer, Set<MessageId> messageIds) {
        }

        @Override
        public void onAckTimeoutSend(Consumer<T> consumer, Set<MessageId> messageIds) {
        }

        @Override
        public void close() {
        }
    }
}
