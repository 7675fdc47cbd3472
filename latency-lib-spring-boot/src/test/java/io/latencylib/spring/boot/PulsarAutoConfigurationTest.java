package io.latencylib.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.latencylib.LatencyReport;
import io.latencylib.StageStats;
import io.latencylib.pulsar.embedded.EmbeddedPulsar;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.pulsar.annotation.PulsarListener;
import org.springframework.pulsar.core.PulsarTemplate;

/**
 * A Spring Boot service with PulsarTemplate sends and a @PulsarListener, no library code, on a real
 * Pulsar standalone: Prometheus sees the stages of the topic with the report's counts and means.
 */
class PulsarAutoConfigurationTest {

    static final int MESSAGES = 300;
    static final CountDownLatch RECEIVED = new CountDownLatch(MESSAGES);
    static EmbeddedPulsar pulsar;

    @BeforeAll
    static void broker() {
        pulsar = EmbeddedPulsar.builder().start();
    }

    @AfterAll
    static void stop() {
        if (pulsar != null) {
            pulsar.close();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class OrderService {
        @PulsarListener(topics = "pulsar-orders", subscriptionName = "billing")
        void onOrder(String order) {
            RECEIVED.countDown();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusShowsTheStagesOfTheTopicAsTheReportDoes() throws Exception {
        SpringApplication app = new SpringApplication(OrderService.class);
        app.setWebApplicationType(WebApplicationType.SERVLET);
        try (ConfigurableApplicationContext context = app.run("--server.port=0",
                "--spring.pulsar.client.service-url=" + pulsar.serviceUrl(),
                "--spring.pulsar.consumer.subscription.initial-position=earliest",
                "--management.endpoints.web.exposure.include=prometheus,latency")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            PulsarTemplate<String> template = context.getBean(PulsarTemplate.class);
            long next = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) {
                LockSupport.parkNanos(next - System.nanoTime()); // 500 msg/s
                template.sendAsync("pulsar-orders", "{\"id\":" + i + "}");
                next += 2_000_000;
            }
            assertThat(RECEIVED.await(60, TimeUnit.SECONDS)).as("every order handled").isTrue();

            LatencyRecorders recorders = context.getBean(LatencyRecorders.class);
            String scrape = KafkaAutoConfigurationTest.get(port, "/actuator/prometheus", "text/plain");
            LatencyReport report = recorders.recorderFor("pulsar", "pulsar-orders").orElseThrow().report();
            System.out.println(report.toTable());
            assertThat(report.counts().received()).isEqualTo(MESSAGES);
            assertThat(report.counts().unstamped()).isZero();
            // interceptors do not see the consumer's calls: catch-up and fetch are one stage
            assertThat(report.stages()).extracting(StageStats::name).contains("catch-up+fetch");
            Map<String, String> dest = Map.of("messaging_system", "pulsar", "messaging_destination_name", "pulsar-orders");
            for (StageStats stage : report.stages()) {
                Map<String, String> labels = new java.util.HashMap<>(dest);
                labels.put("stage", stage.name());
                assertThat(KafkaAutoConfigurationTest.sample(scrape, "messaging_latency_stage_seconds_count", labels))
                        .as(stage.name()).isEqualTo(stage.count());
                double mean = stage.mean().toNanos() / 1e9;
                assertThat(KafkaAutoConfigurationTest.sample(scrape, "messaging_latency_stage_seconds_sum", labels)
                        / stage.count()).as(stage.name()).isCloseTo(mean, within(mean * 0.01 + 20e-6));
            }
            Map<String, String> received = new java.util.HashMap<>(dest);
            received.put("outcome", "received");
            assertThat(KafkaAutoConfigurationTest.sample(scrape, "messaging_latency_messages_total", received))
                    .isEqualTo(MESSAGES);
        }
    }
}
