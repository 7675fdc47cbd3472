package com.example.orders;

import java.util.concurrent.atomic.AtomicLong;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Bills every order event. */
@Component
public class Billing {

    private final AtomicLong billed = new AtomicLong();

    @KafkaListener(topics = "orders", groupId = "billing")
    void onOrder(String json) {
        billed.incrementAndGet();
    }

    public long billed() {
        return billed.get();
    }
}
