package io.latencylib.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
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
 * A Spring Boot service with RabbitTemplate sends (correlated publisher confirms) and two @RabbitListeners,
 * no library code, on a real RabbitMQ node: Prometheus sees each queue's stages with the report's counts
 * and means, every message joined with its confirm; catch-up and fetch are split, and the listener that
 * sleeps shows in catch-up against the one that keeps up.
 */
class RabbitAutoConfigurationTest {

    static final int MESSAGES = 200;
    static volatile CountDownLatch RECEIVED;
    static volatile CountDownLatch SLOW;
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

        @Bean
        Queue slowOrders() {
            return new Queue("rabbit-slow-orders");
        }

        @RabbitListener(queues = "rabbit-orders")
        void onOrder(String order) {
            RECEIVED.countDown();
        }

        @RabbitListener(queues = "rabbit-slow-orders")
        void onSlowOrder(String order) throws InterruptedException {
            Thread.sleep(20); // a handler slower than the arrivals (200 msg/s): the consumer falls behind
            SLOW.countDown();
        }
    }

    /** Boot's default listener containers: SimpleMessageListenerContainer, one consumer thread each. */
    @Test
    void prometheusShowsTheStagesOfTheQueueAsTheReportDoes() throws Exception {
        run("simple");
    }

    /**
     * DirectMessageListenerContainer: deliveries run on the client's dispatch threads, not the container's;
     * the consumer's time line is kept per channel all the same.
     */
    @Test
    void directContainersAreObservedTheSameWay() throws Exception {
        run("direct");
    }

    private void run(String containerType) throws Exception {
        RECEIVED = new CountDownLatch(MESSAGES);
        SLOW = new CountDownLatch(MESSAGES);
        SpringApplication app = new SpringApplication(OrderService.class);
        app.setWebApplicationType(WebApplicationType.SERVLET);
        try (ConfigurableApplicationContext context = app.run("--server.port=0",
                "--spring.rabbitmq.host=127.0.0.1", "--spring.rabbitmq.port=" + rabbit.amqpPort(),
                "--spring.rabbitmq.publisher-confirm-type=correlated",
                "--spring.rabbitmq.listener.type=" + containerType,
                "--management.endpoints.web.exposure.include=prometheus,latency")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            RabbitTemplate template = context.getBean(RabbitTemplate.class);
            long next = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) { // 200 msg/s to each queue, interleaved
                for (String queue : new String[] {"rabbit-orders", "rabbit-slow-orders"}) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    template.convertAndSend("", queue, "{\"id\":" + i + "}", new CorrelationData(queue + "-" + i));
                    next += 2_500_000;
                }
            }
            assertThat(RECEIVED.await(60, TimeUnit.SECONDS)).as("every order handled").isTrue();
            assertThat(SLOW.await(60, TimeUnit.SECONDS)).as("every slow order handled").isTrue();

            LatencyRecorders recorders = context.getBean(LatencyRecorders.class);
            LatencyReport orders = recorders.recorderFor("rabbitmq", "rabbit-orders").orElseThrow().report();
            LatencyReport slow = recorders.recorderFor("rabbitmq", "rabbit-slow-orders").orElseThrow().report();
            String scrape = KafkaAutoConfigurationTest.get(port, "/actuator/prometheus", "text/plain");
            System.out.println("rabbit-orders:\n" + orders.toTable() + "\nrabbit-slow-orders:\n" + slow.toTable());
            for (LatencyReport report : new LatencyReport[] {orders, slow}) {
                assertThat(report.counts().received()).isEqualTo(MESSAGES);
                assertThat(report.counts().joined()).isEqualTo(MESSAGES);
                assertThat(report.counts().acked()).as("every publisher confirm recorded").isEqualTo(MESSAGES);
                assertThat(report.counts().unstamped()).isZero();
                // the listener's time line is observed: catch-up and fetch apart for every message; RabbitMQ
                // 3.10 sets no broker timestamp, so publish and commit stay merged
                assertThat(report.stages()).extracting(StageStats::name)
                        .containsExactly("produce", "publish+commit", "catch-up", "fetch");
            }
            for (String queue : new String[] {"rabbit-orders", "rabbit-slow-orders"}) {
                LatencyReport report = queue.equals("rabbit-orders") ? orders : slow;
                Map<String, String> dest = Map.of("messaging_system", "rabbitmq", "messaging_destination_name", queue);
                for (StageStats stage : report.stages()) {
                    Map<String, String> labels = new HashMap<>(dest);
                    labels.put("stage", stage.name());
                    assertThat(KafkaAutoConfigurationTest.sample(scrape, "messaging_latency_stage_seconds_count", labels))
                            .as(queue + " " + stage.name()).isEqualTo(stage.count()).isEqualTo(MESSAGES);
                    double mean = stage.mean().toNanos() / 1e9;
                    assertThat(KafkaAutoConfigurationTest.sample(scrape, "messaging_latency_stage_seconds_sum", labels)
                            / MESSAGES).as(queue + " " + stage.name()).isCloseTo(mean, within(mean * 0.01 + 20e-6));
                }
                Map<String, String> received = new HashMap<>(dest);
                received.put("outcome", "received");
                assertThat(KafkaAutoConfigurationTest.sample(scrape, "messaging_latency_messages_total", received))
                        .isEqualTo(MESSAGES);
            }

            // the sleeping listener shows in catch-up; the one that keeps up is the baseline
            double fastCatchUp = orders.stage(Stage.CATCH_UP).orElseThrow().p50().toNanos() / 1e6;
            double slowCatchUp = slow.stage(Stage.CATCH_UP).orElseThrow().p50().toNanos() / 1e6;
            double slowFetch = slow.stage(Stage.FETCH).orElseThrow().p50().toNanos() / 1e6;
            System.out.printf(containerType + " containers, catch-up p50: keeps up %.3f ms, sleeps 20 ms per message %.3f ms (fetch p50 %.3f ms)%n",
                    fastCatchUp, slowCatchUp, slowFetch);
            assertThat(slowCatchUp).as("catch-up p50 of the sleeping listener (ms)")
                    .isGreaterThan(3 * fastCatchUp + 100); // ~1 s expected (4 s of work for 1 s of arrivals)
            assertThat(slowCatchUp).as("the wait is catch-up, not fetch").isGreaterThan(5 * slowFetch);
        }
    }
}
