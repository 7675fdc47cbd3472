package io.latencylib.samples.service;

import java.util.Objects;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A tiny order-publishing service: what a service repository has, and what its latency test wraps.
 * It is handed its producer (in production a plain {@code KafkaProducer}; in a latency test one
 * wrapped by {@code KafkaLatency.wrap}, which the service does not know about).
 */
public final class OrderService implements AutoCloseable {

    private final Producer<String, String> producer;
    private final String topic;

    public OrderService(Producer<String, String> producer, String topic) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    /** Publishes an order-placed event, keyed by customer. @return the broker's acknowledgement, to come */
    public Future<RecordMetadata> place(Order order) {
        return producer.send(new ProducerRecord<>(topic, order.customer(), order.toEvent()));
    }

    /** Sends what is still buffered. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
