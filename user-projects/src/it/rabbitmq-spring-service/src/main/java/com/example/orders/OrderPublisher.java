package com.example.orders;

import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Service;

/** Publishes an order event per order placed, with a publisher confirm per order. */
@Service
public class OrderPublisher {

    private final RabbitTemplate template;

    public OrderPublisher(RabbitTemplate template) {
        this.template = template;
    }

    public CorrelationData orderPlaced(String orderId, String json) {
        CorrelationData confirm = new CorrelationData(orderId);
        template.convertAndSend("", "orders", json, confirm);
        return confirm;
    }
}
