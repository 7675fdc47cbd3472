package com.example.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.latencylib.LatencyReport;
import io.latencylib.StageStats;
import io.latencylib.pulsar.embedded.EmbeddedPulsar;
import io.latencylib.spring.boot.LatencyRecorders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.pulsar.autoconfigure.PulsarConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The order service as it runs, on a real Pulsar standalone (a child JVM): what Prometheus scrapes from
 * /actuator/prometheus is what the library's own report says, for the orders topic (persistent://public/default/orders).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OrderLatencyTest {

    static final int ORDERS = 500;

    /** The broker: a bean, so it stops after the service's clients. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Broker {
        @Bean(destroyMethod = "close")
        EmbeddedPulsar embeddedPulsar() {
            return EmbeddedPulsar.builder().start();
        }

        @Bean
        PulsarConnectionDetails pulsarConnectionDetails(EmbeddedPulsar pulsar) {
            return new PulsarConnectionDetails() {
                @Override
                public String getBrokerUrl() {
                    return pulsar.serviceUrl();
                }

                @Override
                public String getAdminUrl() {
                    return pulsar.httpUrl();
                }
            };
        }
    }

    @Autowired OrderPublisher publisher;
    @Autowired Billing billing;
    @Autowired LatencyRecorders recorders;
    @Autowired Environment environment;

    @Test
    void prometheusShowsTheStagesAndTheCountsOfTheOrdersTopicAsTheReportDoes() throws Exception {
        long next = System.nanoTime();
        for (int i = 0; i < ORDERS; i++) {
            LockSupport.parkNanos(next - System.nanoTime()); // one order every 2 ms
            publisher.orderPlaced("{\"id\":" + i + "}");
            next += 2_000_000;
        }
        await("every order billed", () -> billing.billed() == ORDERS);

        String scrape = get("/actuator/prometheus", "text/plain");
        LatencyReport report = recorders.recorderFor("pulsar", "orders").orElseThrow().report();
        System.out.println(report.toTable());
        // latency.pulsar.wrap-listener-consumers=true: the container's pull loop runs through the wrapper, five stages
        assertThat(report.stages()).extracting(StageStats::name)
                .containsExactly("produce", "publish", "commit", "catch-up", "fetch");
        Map<String, String> orders = Map.of("messaging_system", "pulsar", "messaging_destination_name", "orders");
        for (StageStats stats : report.stages()) {
            Map<String, String> labels = with(orders, "stage", stats.name());
            assertThat(sample(scrape, "messaging_latency_stage_seconds_count", labels)).as(stats.name())
                    .isEqualTo(stats.count()).isEqualTo(ORDERS);
            double mean = stats.mean().toNanos() / 1e9;
            assertThat(sample(scrape, "messaging_latency_stage_seconds_sum", labels) / ORDERS).as(stats.name())
                    .isCloseTo(mean, within(mean * 0.01 + 20e-6));
        }
        assertThat(sample(scrape, "messaging_latency_end_to_end_seconds_count", with(orders, "from", "send")))
                .isEqualTo(report.counts().received()).isEqualTo(ORDERS);
        assertThat(sample(scrape, "messaging_latency_messages_total", with(orders, "outcome", "sent"))).isEqualTo(ORDERS);
        assertThat(sample(scrape, "messaging_latency_messages_total", with(orders, "outcome", "lost"))).isZero();
        assertThat(sample(scrape, "messaging_latency_messages_total", with(orders, "outcome", "duplicated"))).isZero();
        assertThat(sample(scrape, "messaging_latency_messages_total", with(orders, "outcome", "unstamped"))).isZero();
        assertThat(sample(scrape, "messaging_latency_slo", with(orders, "slo", "lost == 0"))).isEqualTo(1.0);

        assertThat(get("/actuator/latency/orders", "text/plain")).contains("== pulsar:orders").contains("end-to-end");
    }

    static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> more = new HashMap<>(labels);
        more.put(key, value);
        return more;
    }

    void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within 60 s").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    String get(String path, String accept) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + environment.getProperty("local.server.port") + path)).header("Accept", accept)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    /** The value of the one sample of {@code name} whose labels include {@code labels}. */
    static double sample(String scrape, String name, Map<String, String> labels) {
        Double found = null;
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE).matcher(scrape);
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
        assertThat(found).as("a sample of %s %s", name, labels).isNotNull();
        return found;
    }
}
