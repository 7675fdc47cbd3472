package com.example.orders;

import java.util.concurrent.atomic.AtomicLong;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/** Bills every order event. */
@Component
public class Billing {

    private final AtomicLong billed = new AtomicLong();

    @RabbitListener(queues = "orders")
    void onOrder(String json) {
        billed.incrementAndGet();
    }

    public long billed() {
        return billed.get();
    }
}
