package com.example.orders;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;

/** Publishes an order event per order placed. */
@Service
public class OrderPublisher {

    private final KafkaTemplate<String, String> template;

    public OrderPublisher(KafkaTemplate<String, String> template) {
        this.template = template;
    }

    public void orderPlaced(String orderId, String json) {
        template.send("orders", orderId, json);
    }

    public void flush() {
        template.flush();
    }
}
