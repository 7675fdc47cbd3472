package io.latencylib.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.latencylib.LatencyReport;
import io.latencylib.StageStats;
import io.latencylib.rabbitmq.embedded.LocalRabbitMqNode;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot service with RabbitTemplate sends (correlated publisher confirms) and a @RabbitListener,
 * no library code, on a real RabbitMQ node: Prometheus sees the queue's stages with the report's counts
 * and means, every message joined with its confirm.
 */
class RabbitAutoConfigurationTest {

    static final int MESSAGES = 300;
    static final CountDownLatch RECEIVED = new CountDownLatch(MESSAGES);
    static LocalRabbitMqNode rabbit;

    @BeforeAll
    static void broker() {
        rabbit = LocalRabbitMqNode.builder().start();
    }

    @AfterAll
    static void stop() {
        if (rabbit != null) {
            rabbit.close();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class OrderService {
        @Bean
        Queue orders() {
            return new Queue("rabbit-orders");
        }

        @RabbitListener(queues = "rabbit-orders")
        void onOrder(String order) {
            RECEIVED.countDown();
        }
    }

    @Test
    void prometheusShowsTheStagesOfTheQueueAsTheReportDoes() throws Exception {
        SpringApplication app = new SpringApplication(OrderService.class);
        app.setWebApplicationType(WebApplicationType.SERVLET);
        try (ConfigurableApplicationContext context = app.run("--server.port=0",
                "--spring.rabbitmq.host=127.0.0.1", "--spring.rabbitmq.port=" + rabbit.amqpPort(),
                "--spring.rabbitmq.publisher-confirm-type=correlated",
                "--management.endpoints.web.exposure.include=prometheus,latency")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            RabbitTemplate template = context.getBean(RabbitTemplate.class);
            long next = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) {
                LockSupport.parkNanos(next - System.nanoTime()); // 500 msg/s
                template.convertAndSend("", "rabbit-orders", "{\"id\":" + i + "}", new CorrelationData("order-" + i));
                next += 2_000_000;
            }
            assertThat(RECEIVED.await(60, TimeUnit.SECONDS)).as("every order handled").isTrue();

            LatencyRecorders recorders = context.getBean(LatencyRecorders.class);
            LatencyReport report = recorders.recorderFor("rabbitmq", "rabbit-orders").orElseThrow().report();
            String scrape = KafkaAutoConfigurationTest.get(port, "/actuator/prometheus", "text/plain");
            System.out.println(report.toTable());
            assertThat(report.counts().received()).isEqualTo(MESSAGES);
            assertThat(report.counts().joined()).isEqualTo(MESSAGES);
            assertThat(report.counts().acked()).as("every publisher confirm recorded").isEqualTo(MESSAGES);
            assertThat(report.counts().unstamped()).isZero();
            assertThat(report.stages()).extracting(StageStats::name).contains("catch-up+fetch");
            Map<String, String> dest = Map.of("messaging_system", "rabbitmq", "messaging_destination_name", "rabbit-orders");
            for (StageStats stage : report.stages()) {
                Map<String, String> labels = new HashMap<>(dest);
                labels.put("stage", stage.name());
                assertThat(KafkaAutoConfigurationTest.sample(scrape, "messaging_latency_stage_seconds_count", labels))
                        .as(stage.name()).isEqualTo(stage.count()).isEqualTo(MESSAGES);
                double mean = stage.mean().toNanos() / 1e9;
                assertThat(KafkaAutoConfigurationTest.sample(scrape, "messaging_latency_stage_seconds_sum", labels)
                        / MESSAGES).as(stage.name()).isCloseTo(mean, within(mean * 0.01 + 20e-6));
            }
            Map<String, String> received = new HashMap<>(dest);
            received.put("outcome", "received");
            assertThat(KafkaAutoConfigurationTest.sample(scrape, "messaging_latency_messages_total", received))
                    .isEqualTo(MESSAGES);
        }
    }
}
