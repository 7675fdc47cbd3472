package io.latencylib.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import io.latencylib.pulsar.embedded.EmbeddedPulsar;
import java.util.ArrayList;
import java.util.List;
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
 * Pulsar standalone: Prometheus sees the stages of the topic with the report's counts and means. By
 * default the consumers are intercepted ({@code catch-up+fetch}); with
 * {@code latency.pulsar.wrap-listener-consumers=true} they are wrapped, catch-up and fetch are apart, and
 * the listener that sleeps shows in catch-up against the one that keeps up.
 */
class PulsarAutoConfigurationTest {

    static final int MESSAGES = 300;
    static final int REGIONAL = 50;
    static CountDownLatch RECEIVED;
    static CountDownLatch SLOW;
    static CountDownLatch MIXED;
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
        @PulsarListener(topics = "${test.topic}-orders", subscriptionName = "billing")
        void onOrder(String order) {
            RECEIVED.countDown();
        }

        @PulsarListener(topics = "${test.topic}-slow-orders", subscriptionName = "billing")
        void onSlowOrder(String order) throws InterruptedException {
            Thread.sleep(20); // a handler slower than the arrivals (250 msg/s): the consumer falls behind
            SLOW.countDown();
        }

        /** Two topics, two destinations: no one recorder for the consumer. */
        @PulsarListener(topics = {"${test.topic}-eu", "${test.topic}-us"}, subscriptionName = "billing")
        void onRegionalOrder(String order) {
            MIXED.countDown();
        }
    }

    private static ConfigurableApplicationContext start(String topic, String... more) {
        RECEIVED = new CountDownLatch(MESSAGES);
        SLOW = new CountDownLatch(MESSAGES);
        MIXED = new CountDownLatch(2 * REGIONAL);
        SpringApplication app = new SpringApplication(OrderService.class);
        app.setWebApplicationType(WebApplicationType.SERVLET);
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--test.topic=" + topic,
                "--spring.pulsar.client.service-url=" + pulsar.serviceUrl(),
                "--spring.pulsar.consumer.subscription.initial-position=earliest",
                "--management.endpoints.web.exposure.include=prometheus,latency"));
        args.addAll(List.of(more));
        return app.run(args.toArray(String[]::new));
    }

    /** Default: consumer interceptors, which do not see the consumer's calls: catch-up and fetch are one stage. */
    @Test
    @SuppressWarnings("unchecked")
    void prometheusShowsTheStagesOfTheTopicAsTheReportDoes() throws Exception {
        try (ConfigurableApplicationContext context = start("intercepted")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            PulsarTemplate<String> template = context.getBean(PulsarTemplate.class);
            long next = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) {
                LockSupport.parkNanos(next - System.nanoTime()); // 500 msg/s
                template.sendAsync("intercepted-orders", "{\"id\":" + i + "}");
                next += 2_000_000;
            }
            assertThat(RECEIVED.await(60, TimeUnit.SECONDS)).as("every order handled").isTrue();

            LatencyRecorders recorders = context.getBean(LatencyRecorders.class);
            String scrape = KafkaAutoConfigurationTest.get(port, "/actuator/prometheus", "text/plain");
            LatencyReport report = recorders.recorderFor("pulsar", "intercepted-orders").orElseThrow().report();
            System.out.println(report.toTable());
            assertThat(report.counts().received()).isEqualTo(MESSAGES);
            assertThat(report.counts().unstamped()).isZero();
            assertThat(report.stages()).extracting(StageStats::name).contains("catch-up+fetch")
                    .doesNotContain("catch-up", "fetch");
            assertScrapeAgrees(scrape, report, "intercepted-orders");
        }
    }

    /**
     * {@code latency.pulsar.wrap-listener-consumers=true}: the container's {@code batchReceive()} loop runs
     * through the wrapper, so catch-up and fetch are apart and a listener that cannot keep up shows in catch-up.
     */
    @Test
    @SuppressWarnings("unchecked")
    void wrappedListenerConsumersSplitCatchUpAndFetch() throws Exception {
        try (ConfigurableApplicationContext context = start("pulsar", "--latency.pulsar.wrap-listener-consumers=true")) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            PulsarTemplate<String> template = context.getBean(PulsarTemplate.class);
            long next = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) { // 250 msg/s to each topic, interleaved
                for (String topic : new String[] {"pulsar-orders", "pulsar-slow-orders"}) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    template.sendAsync(topic, "{\"id\":" + i + "}");
                    next += 2_000_000;
                }
            }
            assertThat(RECEIVED.await(60, TimeUnit.SECONDS)).as("every order handled").isTrue();
            assertThat(SLOW.await(60, TimeUnit.SECONDS)).as("every slow order handled").isTrue();

            LatencyRecorders recorders = context.getBean(LatencyRecorders.class);
            String scrape = KafkaAutoConfigurationTest.get(port, "/actuator/prometheus", "text/plain");
            LatencyReport orders = recorders.recorderFor("pulsar", "pulsar-orders").orElseThrow().report();
            LatencyReport slow = recorders.recorderFor("pulsar", "pulsar-slow-orders").orElseThrow().report();
            System.out.println("pulsar-orders:\n" + orders.toTable() + "\npulsar-slow-orders:\n" + slow.toTable());
            for (LatencyReport report : new LatencyReport[] {orders, slow}) {
                // every message measured once (the wrapped consumer has no interceptor)
                assertThat(report.counts().received()).isEqualTo(MESSAGES);
                assertThat(report.counts().unstamped()).isZero();
                // the container's batchReceive() loop runs through the wrapper: catch-up and fetch apart
                assertThat(report.stages()).extracting(StageStats::name).contains("catch-up", "fetch")
                        .doesNotContain("catch-up+fetch");
                assertScrapeAgrees(scrape, report, report == orders ? "pulsar-orders" : "pulsar-slow-orders");
            }

            // the sleeping listener shows in catch-up; the one that keeps up is the baseline
            double fastCatchUp = orders.stage(Stage.CATCH_UP).orElseThrow().p50().toNanos() / 1e6;
            double slowCatchUp = slow.stage(Stage.CATCH_UP).orElseThrow().p50().toNanos() / 1e6;
            double slowFetch = slow.stage(Stage.FETCH).orElseThrow().p50().toNanos() / 1e6;
            System.out.printf("catch-up p50: keeps up %.3f ms, sleeps 20 ms per message %.3f ms (fetch p50 %.3f ms)%n",
                    fastCatchUp, slowCatchUp, slowFetch);
            assertThat(slowCatchUp).as("catch-up p50 of the sleeping listener (ms)")
                    .isGreaterThan(3 * fastCatchUp + 100); // seconds expected: 6 s of work for 1.2 s of arrivals
            // fetch is bounded by the container's batch-receive timeout (~100 ms) for both listeners: the sleeping
            // moves nothing into fetch, and catch-up, not fetch, is where the slow listener's time goes
            double fastFetchP99 = orders.stage(Stage.FETCH).orElseThrow().p99().toNanos() / 1e6;
            assertThat(slowFetch).as("fetch p50 of the sleeping listener (ms) against the p99 of the one that keeps up")
                    .isLessThan(fastFetchP99 + 50);
            assertThat(slowCatchUp).as("the wait is catch-up, not fetch").isGreaterThan(slowFetch);

            // a consumer of two destinations is not wrapped: the interceptor measures it, each message once
            for (int i = 0; i < REGIONAL; i++) {
                template.send("pulsar-eu", "{\"id\":" + i + "}");
                template.send("pulsar-us", "{\"id\":" + i + "}");
            }
            assertThat(MIXED.await(60, TimeUnit.SECONDS)).as("every regional order handled").isTrue();
            for (String topic : new String[] {"pulsar-eu", "pulsar-us"}) {
                LatencyReport report = recorders.recorderFor("pulsar", topic).orElseThrow().report();
                assertThat(report.counts().received()).as(topic).isEqualTo(REGIONAL);
                assertThat(report.stages()).extracting(StageStats::name).as(topic).contains("catch-up+fetch")
                        .doesNotContain("catch-up", "fetch");
            }
        }
    }

    private static void assertScrapeAgrees(String scrape, LatencyReport report, String topic) {
        {
            Map<String, String> dest = Map.of("messaging_system", "pulsar", "messaging_destination_name", topic);
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
