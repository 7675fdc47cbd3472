package io.latencylib.samples.service;

import java.util.Objects;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageListener;

/**
 * The other side of the sample on Pulsar ({@link OrderListener}'s twin): a message listener that hands
 * every order event to a handler and then acknowledges it; a handler that throws gets the event again
 * later (negative acknowledgement). Give it to {@code ConsumerBuilder.messageListener}.
 */
public final class PulsarOrderListener implements MessageListener<String> {

    private static final long serialVersionUID = 1L;

    private final transient java.util.function.Consumer<Order> handler;

    public PulsarOrderListener(java.util.function.Consumer<Order> handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public void received(Consumer<String> consumer, Message<String> message) {
        try {
            handler.accept(Order.fromEvent(message.getValue()));
            consumer.acknowledgeAsync(message);
        } catch (RuntimeException e) {
            consumer.negativeAcknowledge(message);
        }
    }
}
