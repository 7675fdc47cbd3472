package com.example.orders;

import org.springframework.pulsar.core.PulsarTemplate;
import org.springframework.stereotype.Service;

/** Publishes an order event per order placed. */
@Service
public class OrderPublisher {

    private final PulsarTemplate<String> template;

    public OrderPublisher(PulsarTemplate<String> template) {
        this.template = template;
    }

    public void orderPlaced(String json) {
        template.sendAsync("orders", json);
    }
}
