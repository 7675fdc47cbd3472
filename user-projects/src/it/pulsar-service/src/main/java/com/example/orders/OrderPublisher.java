package com.example.orders;

import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClientException;

/** The service's code: publishes an order event per order placed. */
public final class OrderPublisher {

    private final Producer<String> producer;

    public OrderPublisher(Producer<String> producer) {
        this.producer = producer;
    }

    public void orderPlaced(String orderId, String json) {
        producer.newMessage().key(orderId).value(json).sendAsync();
    }

    public void flush() throws PulsarClientException {
        producer.flush();
    }
}
