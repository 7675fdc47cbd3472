package io.latencylib.rabbitmq.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.latencylib.junit.LatencySloExtension;
import io.latencylib.report.LatencyReports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * latency-lib-junit's extension with RabbitMQ, as JUnit itself runs it: the extension finds
 * {@code RabbitSystemProvider} by service loading and gives this class a {@link RabbitSession} on the
 * run's broker; each test class below goes through the EngineTestKit against that broker
 * ({@code latency.rabbitmq.uri}) and the outcome of every test in it is checked.
 */
@ExtendWith(LatencySloExtension.class)
class RabbitSloExtensionTest {

    private static final String OWN = "orderEventsReachTheListenerQuickly(RabbitSession)";
    private static final String PACED = "theBrokerKeepsUpWithAThousandMessagesASecond(RabbitSession)";

    @Test
    void theServiceStyleTestsPassAndWriteTheirReportsWithTheVerdicts(RabbitSession rabbit) throws Exception {
        Kit kit = Kit.run(OrderEventsLatencyTest.class, rabbit.amqpUri());

        assertThat(kit.succeeded()).as(kit.toString()).containsExactlyInAnyOrder(OWN, PACED);
        Map<String, String> own = kit.entries().get(OWN);
        assertThat(own.get("latency.slo")).startsWith("PASS p99 < 500ms (measured ");
        assertThat(own.get("latency.summary")).startsWith("1000 sent, 1000 received, lost 0");
        assertThat(own.get("latency.rabbitmq")).as("the path taken, the password hidden")
                .startsWith("address: the broker at amqp://").contains(":***@").contains("latency.rabbitmq.uri")
                .doesNotContain(rabbit.amqpUri());
        Path text = Path.of(own.get("latency.report").substring("written to ".length()).replaceAll(" \\(also .*", ""));
        assertThat(Files.readString(text)).contains("PASS p99 < 500ms", "publish+commit", "catch-up", "fetch",
                "timestamp_in_ms");
        assertThat(LatencyReports.readJson(text.resolveSibling("orderEventsReachTheListenerQuickly_RabbitSession.json"))
                .latency().counts().joined()).isEqualTo(1000);
        assertThat(Files.readString(text.resolveSibling("orderEventsReachTheListenerQuickly_RabbitSession.html")))
                .startsWith("<!DOCTYPE html>").contains("p99 &lt; 500ms", "publish+commit");

        Map<String, String> paced = kit.entries().get(PACED);
        assertThat(paced.get("latency.slo")).startsWith("PASS fetch.p99 < 500ms").contains("PASS lost == 0");
        assertThat(paced.get("latency.load")).startsWith("target 1000.0 msg/s");
    }

    @Test
    void aSlowConsumerFailsTheOwnTrafficObjectiveNamingCatchUp(RabbitSession rabbit) {
        Kit kit = Kit.run(Scenarios.SlowConsumer.class, rabbit.amqpUri());

        Throwable failure = kit.failures().get("ordersReachABusyListener(RabbitSession)");
        assertThat(failure).as(kit.toString()).isExactlyInstanceOf(AssertionError.class);
        assertThat(failure.getMessage()).startsWith("SLO violated: p99 < 50ms -- measured ")
                .contains("the largest stage is catch-up", "catch-up grows with: a consumer that falls behind");
    }

    @Test
    void anObjectiveOnCommitFailsSayingRabbitMqReportedItMerged(RabbitSession rabbit) {
        Kit kit = Kit.run(Scenarios.OnAMergedStage.class, rabbit.amqpUri());

        Throwable failure = kit.failures().get("roundTrip(RabbitSession)");
        assertThat(failure).as(kit.toString()).isInstanceOf(AssertionError.class);
        assertThat(failure.getMessage()).contains("stage commit was not observed on its own",
                "reported merged: [publish+commit]");
    }

    @Test
    void withTestcontainersAskedForButNoDockerTheEmbeddedNodeIsUsedAndSaidSo() {
        assumeTrue(System.getProperty("latency.rabbitmq.uri") == null && System.getenv("LATENCY_RABBITMQ_URI") == null,
                "a broker address is given for the whole run, so it would be the kit's too");
        Kit kit = Kit.run(Scenarios.Passing.class, null, "latency.rabbitmq.testcontainers", "true",
                "latency.rabbitmq.warmup", "0s");

        assertThat(kit.succeeded()).as(kit.toString()).containsExactly("roundTrip(RabbitSession)");
        String path = kit.entries().get("roundTrip(RabbitSession)").get("latency.rabbitmq");
        if (path.startsWith("testcontainers:")) {
            return; // a machine with Docker: the container path was taken, as asked
        }
        assertThat(path).startsWith("embedded: the embedded rabbitmq broker at amqp://guest:***@127.0.0.1:")
                .contains("latency.rabbitmq.testcontainers=true was set but Docker is not available")
                .contains("so the embedded broker is used");
    }
}
