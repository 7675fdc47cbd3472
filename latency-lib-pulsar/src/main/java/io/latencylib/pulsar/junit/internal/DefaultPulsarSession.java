package io.latencylib.pulsar.junit.internal;

import io.latencylib.junit.spi.SessionContext;
import io.latencylib.junit.spi.SessionSupport;
import io.latencylib.pulsar.PulsarLatency;
import io.latencylib.pulsar.internal.PulsarAdminHttp;
import io.latencylib.pulsar.junit.PulsarSession;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.MessageListener;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionType;

/**
 * The {@link PulsarSession} of one test invocation. Closing (through {@code SessionContext.onClose},
 * reverse order): the producers and consumers, then the client, then the topics it created are
 * deleted. Internal.
 */
final class DefaultPulsarSession extends SessionSupport implements PulsarSession {

    private final PulsarSystemProvider.Broker broker;
    /** topic → partitioned?, deleted after the test */
    private final Map<String, Boolean> topics = new ConcurrentHashMap<>();
    private PulsarClient client; // guarded by this

    DefaultPulsarSession(PulsarSystemProvider.Broker broker, SessionContext context) {
        super(PulsarLatency.SYSTEM, context);
        this.broker = broker;
        context().onClose(this::deleteTopics); // registered first: runs last, once every client is closed
    }

    @Override
    public String serviceUrl() {
        return broker.serviceUrl;
    }

    @Override
    public String httpUrl() {
        return broker.httpUrl;
    }

    @Override
    public synchronized PulsarClient client() {
        if (client == null) {
            try {
                client = PulsarClient.builder().serviceUrl(broker.serviceUrl).build();
            } catch (PulsarClientException e) {
                throw new IllegalStateException("could not create a Pulsar client for " + broker.serviceUrl + ": " + e, e);
            }
            context().onClose(client);
        }
        return client;
    }

    @Override
    public String newTopic() {
        return newTopic(1);
    }

    @Override
    public String newTopic(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1 (1: a non-partitioned topic): "
                    + partitions);
        }
        String topic = "persistent://" + broker.namespace + "/" + context().freshName();
        boolean partitioned = partitions > 1;
        PulsarAdminHttp.createTopic(broker.httpUrl, topic, partitions, partitioned);
        topics.put(topic, partitioned);
        return topic;
    }

    @Override
    public Producer<byte[]> producer(String topic) {
        return producer(topic, Schema.BYTES);
    }

    @Override
    public <T> Producer<T> producer(String topic, Schema<T> schema) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(schema, "schema");
        try {
            return wrap(client().newProducer(schema).topic(topic).create());
        } catch (PulsarClientException e) {
            throw new IllegalStateException("could not create a producer on '" + topic + "' at " + broker.serviceUrl
                    + ": " + e, e);
        }
    }

    @Override
    public Consumer<byte[]> consumer(String topic) {
        return consumer(topic, Schema.BYTES);
    }

    @Override
    public <T> Consumer<T> consumer(String topic, Schema<T> schema) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(schema, "schema");
        try {
            // subscribe() returns once the subscription exists on every partition, at its end: what is
            // published from then on stays for it
            return wrap(client().newConsumer(schema).topic(topic).subscriptionName(context().freshName())
                    .subscriptionType(SubscriptionType.Exclusive)
                    .subscriptionInitialPosition(SubscriptionInitialPosition.Latest).subscribe());
        } catch (PulsarClientException e) {
            throw new IllegalStateException("could not subscribe to '" + topic + "' at " + broker.serviceUrl + ": "
                    + e, e);
        }
    }

    @Override
    public <T> Producer<T> wrap(Producer<T> producer) {
        Producer<T> wrapped = PulsarLatency.wrap(producer, context().recorder());
        context().onClose(wrapped);
        return wrapped;
    }

    @Override
    public <T> Consumer<T> wrap(Consumer<T> consumer) {
        Consumer<T> wrapped = PulsarLatency.wrap(consumer, context().recorder());
        context().onClose(wrapped);
        return wrapped;
    }

    @Override
    public <T> MessageListener<T> wrap(MessageListener<T> listener) {
        return PulsarLatency.wrap(listener, context().recorder());
    }

    private void deleteTopics() {
        RuntimeException failed = null;
        for (Map.Entry<String, Boolean> topic : topics.entrySet()) {
            try {
                PulsarAdminHttp.deleteTopic(broker.httpUrl, topic.getKey(), topic.getValue());
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        topics.clear();
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public String toString() {
        return "PulsarSession[" + broker.serviceUrl + "]";
    }
}
