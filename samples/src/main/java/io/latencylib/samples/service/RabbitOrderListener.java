package io.latencylib.samples.service;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The other side of the sample on RabbitMQ ({@link OrderListener}'s twin): consumes a queue, hands every
 * order event to a handler and then acknowledges it; a handler that throws gets it requeued.
 */
public final class RabbitOrderListener implements AutoCloseable {

    private final Channel channel;
    private final String queue;
    private final Consumer<Order> handler;
    private volatile String consumerTag;

    public RabbitOrderListener(Channel channel, String queue, Consumer<Order> handler) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Subscribes to the queue. @return this */
    public RabbitOrderListener start() throws IOException {
        consumerTag = channel.basicConsume(queue, false, (tag, delivery) -> {
            long deliveryTag = delivery.getEnvelope().getDeliveryTag();
            try {
                handler.accept(Order.fromEvent(new String(delivery.getBody(), StandardCharsets.UTF_8)));
                channel.basicAck(deliveryTag, false);
            } catch (RuntimeException e) {
                channel.basicNack(deliveryTag, false, true);
            }
        }, tag -> { });
        return this;
    }

    /** Stops consuming (the channel stays open: its owner closes it). */
    @Override
    public void close() throws IOException {
        String tag = consumerTag;
        if (tag != null && channel.isOpen()) {
            channel.basicCancel(tag);
        }
    }
}
