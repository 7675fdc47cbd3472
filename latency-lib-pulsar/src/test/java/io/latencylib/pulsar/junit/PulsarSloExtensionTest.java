package io.latencylib.pulsar.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.pulsar.PulsarTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The latency-lib-junit extension with Pulsar, as JUnit itself runs it: each scenario of
 * {@link PulsarScenarios} goes through the EngineTestKit against the run's broker (the embedded
 * standalone {@link PulsarTestSupport} provisioned through the provider, given to the extension as
 * {@code latency.pulsar.url} / {@code latency.pulsar.http}), and its outcome is checked.
 */
@ExtendWith(PulsarTestSupport.class)
class PulsarSloExtensionTest {

    /** How often {@link #theOwnTrafficObjectiveIsMetRunAfterRun()} runs the own-traffic test. */
    private static final int OWN_TRAFFIC_RUNS = Integer.getInteger("latency.pulsar.ownTrafficRuns", 1);

    private static Kit run(Class<?> scenario) {
        return Kit.run(scenario, PulsarTestSupport.serviceUrl(), PulsarTestSupport.adminUrl());
    }

    @Test
    void theOwnTrafficObjectiveIsMetRunAfterRun() throws Exception {
        int passed = 0;
        StringBuilder failures = new StringBuilder();
        for (int i = 0; i < OWN_TRAFFIC_RUNS; i++) {
            Kit kit = run(PulsarScenarios.OwnTraffic.class);
            if (kit.succeeded().contains("ordersReachBilling(PulsarSession)")) {
                passed++;
            } else {
                failures.append("\nrun ").append(i + 1).append(": ").append(kit);
            }
            if (i == 0) {
                Map<String, String> entry = kit.entries().get("ordersReachBilling(PulsarSession)");
                assertThat(entry).as(kit.toString()).isNotNull();
                assertThat(entry.get("latency.summary")).startsWith("500 sent, 500 received, lost 0");
                assertThat(entry.get("latency.pulsar")).contains(PulsarTestSupport.serviceUrl())
                        .contains("latency.pulsar.url");
                String written = entry.get("latency.report");
                assertThat(written).startsWith("written to ");
                Path file = Path.of(written.substring("written to ".length(), written.indexOf(" (also ")));
                assertThat(Files.readString(file)).contains("p99 < 50ms (measured ", "produce", "publish", "commit",
                        "catch-up", "fetch").doesNotContain("publish+commit");
            }
        }
        System.out.printf("own-traffic test: %d of %d runs passed%n", passed, OWN_TRAFFIC_RUNS);
        assertThat(passed).as(failures.toString()).isEqualTo(OWN_TRAFFIC_RUNS);
    }

    @Test
    void pacedLoadRunsOnPulsarAndMeetsAStageObjective() {
        Kit kit = run(PulsarScenarios.Paced.class);

        assertThat(kit.succeeded()).as(kit.toString()).containsExactly("commitKeepsUp(PulsarSession)");
        Map<String, String> entry = kit.entries().get("commitKeepsUp(PulsarSession)");
        assertThat(entry.get("latency.slo")).contains("PASS commit.p99 < 250ms").contains("PASS lost == 0");
        assertThat(entry.get("latency.load")).isNotBlank();
    }

    @Test
    void aSlowConsumerFailsTheObjectiveNamingCatchUp() {
        Kit kit = run(PulsarScenarios.SlowConsumer.class);

        Throwable failure = kit.failures().get("billingFallsBehind(PulsarSession)");
        assertThat(failure).as(kit.toString()).isExactlyInstanceOf(AssertionError.class);
        assertThat(failure.getMessage()).startsWith("SLO violated: p99 < 50ms -- measured ")
                .contains("largest stage is catch-up");
    }

    @Test
    void aPlainLatencySessionIsPulsarsWhenPulsarIsTheOnlySystem() {
        Kit kit = run(PulsarScenarios.AnySession.class);

        assertThat(kit.succeeded()).as(kit.toString()).containsExactly("theOnlySystemOnTheClasspath(LatencySession)");
    }
}
