package com.example.orders;

import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.TopicBuilder;

/** An order service: publishes order events, bills them in a listener. */
@SpringBootApplication
public class OrderApplication {

    public static void main(String[] args) {
        SpringApplication.run(OrderApplication.class, args);
    }

    /** LogAppendTime: the broker's append instant is in every record (the full five-stage split). */
    @Bean
    NewTopic orders() {
        return TopicBuilder.name("orders").partitions(3).config("message.timestamp.type", "LogAppendTime").build();
    }
}
