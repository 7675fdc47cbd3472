package io.latencylib.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import io.latencylib.kafka.embedded.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Spring Boot service with KafkaTemplate sends and @KafkaListener consumers, no library code: the
 * auto-configuration measures it, Prometheus sees the five stages per topic over HTTP, with the values
 * of the library's own report, and a listener that sleeps shows in catch-up next to one that does not.
 */
class KafkaAutoConfigurationTest {

    static final int MESSAGES = 300;
    static final CountDownLatch FAST = new CountDownLatch(MESSAGES);
    static final CountDownLatch SLOW = new CountDownLatch(MESSAGES);
    static final CountDownLatch WARM_UP = new CountDownLatch(MESSAGES);
    static final AtomicInteger STAMPED_WARM_UPS = new AtomicInteger();

    static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.builder().start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The service: topics, listeners; nothing of latency-lib. (No component scan: the tests' apps stay apart.) */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class OrderService {
        @Bean
        NewTopic orders() {
            return TopicBuilder.name("orders").partitions(2).config("message.timestamp.type", "LogAppendTime").build();
        }

        @Bean
        NewTopic slowOrders() {
            return TopicBuilder.name("slow-orders").partitions(1).config("message.timestamp.type", "LogAppendTime")
                    .build();
        }

        @KafkaListener(topics = "orders", groupId = "billing")
        void onOrder(String order) {
            FAST.countDown();
        }

        @Bean
        NewTopic warmUp() {
            return TopicBuilder.name("warm-up").partitions(1).config("message.timestamp.type", "LogAppendTime").build();
        }

        @KafkaListener(topics = "warm-up", groupId = "warm-up")
        void onWarmUp(ConsumerRecord<String, String> record) {
            if (record.headers().lastHeader("latency-stamp") != null) {
                STAMPED_WARM_UPS.incrementAndGet();
            }
            WARM_UP.countDown();
        }

        @KafkaListener(topics = "slow-orders", groupId = "billing-slow")
        void onSlowOrder(String order) throws InterruptedException {
            Thread.sleep(20); // a handler slower than the arrivals: the consumer falls behind
            SLOW.countDown();
        }
    }

    static ConfigurableApplicationContext start(String... more) {
        SpringApplication app = new SpringApplication(OrderService.class);
        app.setWebApplicationType(WebApplicationType.SERVLET);
        String[] base = {
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--spring.kafka.consumer.auto-offset-reset=earliest",
                "--management.endpoints.web.exposure.include=health,prometheus,latency",
                "--management.endpoint.health.show-details=always",
                "--latency.slos=p99 < 60s,lost == 0,catch-up.max < 1us",
                "--latency.meters.percentile-histogram=true",
                "--latency.destinations.exclude=warm-*"};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return app.run(args);
    }

    static String get(int port, String path, String accept) throws Exception {
        return get(port, path, accept, 200);
    }

    static String get(int port, String path, String accept, int status) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + path)).header("Accept", accept).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s (%s): %s", path, accept, r.body()).isEqualTo(status);
        return r.body();
    }

    /** The value of the one sample of {@code name} whose labels include all of {@code labels}. */
    static double sample(String scrape, String name, Map<String, String> labels) {
        Double found = null;
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(scrape);
        while (m.find()) {
            Map<String, String> have = new HashMap<>();
            Matcher l = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(m.group(1));
            while (l.find()) {
                have.put(l.group(1), l.group(2));
            }
            if (have.entrySet().containsAll(labels.entrySet())) {
                assertThat(found).as("one sample of %s %s", name, labels).isNull();
                found = Double.parseDouble(m.group(2));
            }
        }
        assertThat(found).as("a sample of %s %s in the scrape", name, labels).isNotNull();
        return found;
    }

    /** Until every listener container has its partitions (a consumer that joins late counts as busy). */
    static void awaitAssignment(ConfigurableApplicationContext context) {
        KafkaListenerEndpointRegistry registry = context.getBean(KafkaListenerEndpointRegistry.class);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!registry.getListenerContainers().stream().allMatch(c -> c.getAssignedPartitions() != null
                && !c.getAssignedPartitions().isEmpty())) {
            assertThat(System.nanoTime()).as("listener containers assigned within 60 s").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** {@code count} messages, one every {@code intervalNanos}, to the topics in turn. */
    static void sendPaced(KafkaTemplate<Object, Object> template, String[] topics, int count, long intervalNanos) {
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            LockSupport.parkNanos(next - System.nanoTime());
            template.send(topics[i % topics.length], "order-" + i, "{\"id\":" + i + "}");
            next += intervalNanos;
        }
        template.flush();
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusShowsTheFiveStagesPerTopicAsTheReportDoesAndASlowListenerShowsInCatchUp() throws Exception {
        try (ConfigurableApplicationContext context = start()) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
            awaitAssignment(context);
            // warm-up (JIT, connections) on a topic of its own, excluded (latency.destinations.exclude): not measured
            sendPaced(template, new String[] {"warm-up"}, MESSAGES, 2_000_000);
            assertThat(WARM_UP.await(60, TimeUnit.SECONDS)).as("every warm-up message handled").isTrue();
            assertThat(STAMPED_WARM_UPS).as("an excluded topic's records go out untouched").hasValue(0);
            // the same load on both topics at once (250 msg/s each): a listener that keeps up, one of 50 msg/s that
            // takes 6 s for what arrives in 1.2 s
            sendPaced(template, new String[] {"orders", "slow-orders"}, 2 * MESSAGES, 2_000_000);
            assertThat(FAST.await(60, TimeUnit.SECONDS)).as("every order handled").isTrue();
            assertThat(SLOW.await(60, TimeUnit.SECONDS)).as("every slow order handled").isTrue();

            LatencyRecorders recorders = context.getBean(LatencyRecorders.class);
            LatencyRecorder ordersRecorder = recorders.recorderFor("kafka", "orders").orElseThrow();
            LatencyRecorder slowRecorder = recorders.recorderFor("kafka", "slow-orders").orElseThrow();
            assertThat(recorders.destinations()).containsOnlyKeys("kafka:orders", "kafka:slow-orders");
            // the report is read after the scrape: received counts are final once every listener ran
            String scrape = get(port, "/actuator/prometheus", "text/plain");
            LatencyReport orders = ordersRecorder.report();
            LatencyReport slow = slowRecorder.report();

            System.out.println("orders:\n" + orders.toTable() + "\nslow-orders:\n" + slow.toTable());
            for (LatencyReport report : new LatencyReport[] {orders, slow}) {
                assertThat(report.mergedStages()).as("the full split: LogAppendTime topics, acks=all").isEmpty();
                assertThat(report.counts().received()).isEqualTo(MESSAGES);
                assertThat(report.counts().lost()).isZero();
                assertThat(report.counts().duplicated()).isZero();
                assertThat(report.counts().unstamped()).isZero();
            }
            for (String topic : new String[] {"orders", "slow-orders"}) {
                LatencyReport report = topic.equals("orders") ? orders : slow;
                Map<String, String> dest = Map.of("messaging_system", "kafka", "messaging_destination_name", topic);
                double e2eSum = 0;
                double stageSum = 0;
                for (Stage stage : Stage.values()) {
                    Map<String, String> labels = new HashMap<>(dest);
                    labels.put("stage", stage.label());
                    StageStats stats = report.stage(stage).orElseThrow();
                    assertThat(sample(scrape, "messaging_latency_stage_seconds_count", labels)).as(topic + " " + stage)
                            .isEqualTo(stats.count()).isEqualTo(MESSAGES);
                    double sum = sample(scrape, "messaging_latency_stage_seconds_sum", labels);
                    // the report's mean is HdrHistogram's (3 significant digits): 1% and 20 us of slack per message
                    assertThat(sum / MESSAGES).as(topic + " " + stage + " mean")
                            .isCloseTo(stats.mean().toNanos() / 1e9, within(stats.mean().toNanos() / 1e9 * 0.01 + 20e-6));
                    assertThat(sample(scrape, "messaging_latency_stage_seconds_max", labels)).as(topic + " " + stage + " max")
                            .isCloseTo(stats.max().toNanos() / 1e9, within(stats.max().toNanos() / 1e9 * 0.01 + 1e-6));
                    stageSum += sum;
                }
                Map<String, String> fromSend = new HashMap<>(dest);
                fromSend.put("from", "send");
                assertThat(sample(scrape, "messaging_latency_end_to_end_seconds_count", fromSend)).isEqualTo(MESSAGES);
                e2eSum = sample(scrape, "messaging_latency_end_to_end_seconds_sum", fromSend);
                assertThat(stageSum).as("a sum over stage is the end-to-end sum").isCloseTo(e2eSum, within(1e-6 * MESSAGES));
                for (String outcome : new String[] {"sent", "received", "lost", "duplicated", "unstamped"}) {
                    Map<String, String> labels = new HashMap<>(dest);
                    labels.put("outcome", outcome);
                    long expected = switch (outcome) {
                        case "sent" -> report.counts().sent();
                        case "received" -> report.counts().received();
                        case "lost" -> report.counts().lost();
                        case "duplicated" -> report.counts().duplicated();
                        default -> report.counts().unstamped();
                    };
                    assertThat(sample(scrape, "messaging_latency_messages_total", labels)).as(topic + " " + outcome)
                            .isEqualTo(expected);
                }
            }

            // the sleeping listener, through Spring, shows in catch-up; the one that keeps up is the baseline
            double fastCatchUp = orders.stage(Stage.CATCH_UP).orElseThrow().p50().toNanos() / 1e6;
            double slowCatchUp = slow.stage(Stage.CATCH_UP).orElseThrow().p50().toNanos() / 1e6;
            double slowFetch = slow.stage(Stage.FETCH).orElseThrow().p50().toNanos() / 1e6;
            System.out.printf("catch-up p50: keeps up %.3f ms, sleeps 20 ms per message %.3f ms (fetch p50 %.3f ms)%n",
                    fastCatchUp, slowCatchUp, slowFetch);
            assertThat(slowCatchUp).as("catch-up p50 of the sleeping listener (ms)")
                    .isGreaterThan(3 * fastCatchUp + 100); // ~2.4 s expected, the baseline ~0 (0.3 s on a loaded machine)
            assertThat(slowCatchUp).as("the wait is catch-up, not fetch").isGreaterThan(5 * slowFetch);

            // the Grafana dashboard asks only for series this service exports
            GrafanaDashboard.assertEveryQueryMatches(scrape);
            // ... and the check can fail: without the clamp counters, or without the unstamped outcome
            assertThatThrownBy(() -> GrafanaDashboard.assertEveryQueryMatches(
                    scrape.replaceAll("(?m)^messaging_latency_clamps_total.*\n", "")))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("messaging_latency_clamps_total");
            assertThatThrownBy(() -> GrafanaDashboard.assertEveryQueryMatches(
                    scrape.replaceAll("(?m)^messaging_latency_messages_total\\{.*outcome=\"unstamped\".*\n", "")))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("unstamped");

            // the SLO gauges and the endpoint: JSON (the report schema, with verdicts) and text
            Map<String, String> slo = Map.of("messaging_destination_name", "orders", "slo", "lost == 0");
            assertThat(sample(scrape, "messaging_latency_slo", slo)).isEqualTo(1.0);
            JsonNode json = JsonMapper.builder().build().readTree(get(port, "/actuator/latency", "application/json"));
            assertThat(json.has("kafka:orders")).isTrue();
            assertThat(json.has("kafka:slow-orders")).isTrue();
            String one = get(port, "/actuator/latency/orders", "application/json");
            JsonNode ordersJson = JsonMapper.builder().build().readTree(one).get("kafka:orders");
            assertThat(io.latencylib.report.LatencyReports.fromJson(ordersJson.toString()).verdicts()).hasSize(3);
            // health: DOWN (503) while an objective is violated, with the verdicts and the stage at fault
            JsonNode health = JsonMapper.builder().build().readTree(get(port, "/actuator/health", "application/json",
                    503)).get("components").get("latency");
            assertThat(health.get("status").asString()).isEqualTo("DOWN");
            JsonNode slowHealth = health.get("details").get("kafka:slow-orders");
            assertThat(slowHealth.get("lost == 0").asString()).startsWith("PASS");
            assertThat(slowHealth.get("p99 < 60s").asString()).startsWith("PASS");
            assertThat(slowHealth.get("catch-up.max < 1us").asString()).startsWith("FAIL")
                    .contains("stage at fault: catch-up");
            assertThat(sample(scrape, "messaging_latency_slo", Map.of("messaging_destination_name", "slow-orders",
                    "slo", "catch-up.max < 1us"))).isZero();
            String text = get(port, "/actuator/latency/orders", "text/plain");
            assertThat(text).contains("== kafka:orders").contains("catch-up").contains("end-to-end")
                    .contains("lost == 0");
        }
    }

    @Test
    void oneSwitchTurnsItOffAndOneTheHealthIndicator() {
        try (ConfigurableApplicationContext context = start("--latency.enabled=false")) {
            assertThat(context.getBeansOfType(LatencyRecorders.class)).isEmpty();
            assertThat(context.getBeansOfType(LatencyEndpoint.class)).isEmpty();
            assertThat(context.getBeansOfType(LatencySloHealthIndicator.class)).isEmpty();
        }
        try (ConfigurableApplicationContext context = start("--management.health.latency.enabled=false")) {
            assertThat(context.getBeansOfType(LatencyRecorders.class)).hasSize(1);
            assertThat(context.getBeansOfType(LatencySloHealthIndicator.class)).isEmpty();
        }
    }
}
