package com.example.orders;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The service's code: publishes an order event per order placed. */
public final class OrderPublisher {

    private final Channel channel;
    private final String queue;

    public OrderPublisher(Channel channel, String queue) {
        this.channel = channel;
        this.queue = queue;
    }

    public void orderPlaced(String orderId, String json) throws IOException {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId(orderId).deliveryMode(2).build();
        channel.basicPublish("", queue, props, json.getBytes(StandardCharsets.UTF_8));
    }
}
