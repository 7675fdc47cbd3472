package com.example.orders;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The service's code: publishes an order event per order placed. */
public final class OrderPublisher {

    private final Producer<String, String> producer;
    private final String topic;

    public OrderPublisher(Producer<String, String> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    public void orderPlaced(String orderId, String json) {
        producer.send(new ProducerRecord<>(topic, orderId, json));
    }

    public void flush() {
        producer.flush();
    }
}
