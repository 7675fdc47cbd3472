package io.latencylib.samples.service;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * The order-publishing service of the sample on RabbitMQ ({@link OrderService}'s twin): persistent
 * order events to a queue through the default exchange. It is handed its channel, in confirm mode
 * (in a latency test one the {@code RabbitSession} wrapped, which the service does not know about).
 */
public final class RabbitOrderService {

    private final Channel channel;
    private final String queue;

    public RabbitOrderService(Channel channel, String queue) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.queue = Objects.requireNonNull(queue, "queue");
    }

    /** Publishes an order-placed event. */
    public void place(Order order) throws IOException {
        channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
                order.toEvent().getBytes(StandardCharsets.UTF_8));
    }

    /** Waits until the broker confirmed everything published so far; fails when it refused any or took longer. */
    public void awaitConfirms(Duration timeout) throws IOException, InterruptedException, TimeoutException {
        channel.waitForConfirmsOrDie(timeout.toMillis());
    }
}
