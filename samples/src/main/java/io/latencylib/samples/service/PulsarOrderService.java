package io.latencylib.samples.service;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClientException;

/**
 * The order-publishing service of the sample on Pulsar: {@link OrderService}'s twin. It is handed its
 * producer (in production one of the application's {@code PulsarClient}; in a latency test one the
 * {@code PulsarSession} wrapped, which the service does not know about).
 */
public final class PulsarOrderService implements AutoCloseable {

    private final Producer<String> producer;

    public PulsarOrderService(Producer<String> producer) {
        this.producer = Objects.requireNonNull(producer, "producer");
    }

    /** Publishes an order-placed event, keyed by customer. @return the broker's acknowledgement, to come */
    public CompletableFuture<MessageId> place(Order order) {
        return producer.newMessage().key(order.customer()).value(order.toEvent()).sendAsync();
    }

    /** Sends what is still batched. */
    public void flush() throws PulsarClientException {
        producer.flush();
    }

    @Override
    public void close() throws PulsarClientException {
        producer.close();
    }
}
