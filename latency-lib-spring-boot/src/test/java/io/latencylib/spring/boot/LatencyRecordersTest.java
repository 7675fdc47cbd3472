package io.latencylib.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.micrometer.LatencyMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which destinations get a recorder, the memory bound, and meters in every registry, present and future. */
class LatencyRecordersTest {

    @Test
    void includeExcludeAndTheBoundOnDestinations() {
        LatencyProperties p = new LatencyProperties();
        p.getDestinations().setInclude(List.of("orders*", "payments"));
        p.getDestinations().setExclude(List.of("*.DLT"));
        p.setMaxDestinations(2);
        try (LatencyRecorders recorders = new LatencyRecorders(p)) {
            assertThat(recorders.recorderFor("kafka", "audit")).isEmpty();           // not included
            assertThat(recorders.recorderFor("kafka", "orders.DLT")).isEmpty();      // excluded wins
            assertThat(recorders.recorderFor("kafka", "orders")).isPresent();
            assertThat(recorders.recorderFor("kafka", "orders")).containsSame(
                    recorders.recorderFor("kafka", "orders").orElseThrow());       // one per destination
            assertThat(recorders.recorderFor("pulsar", "orders")).isPresent();       // and per system
            assertThat(recorders.recorderFor("kafka", "payments")).isEmpty();        // beyond max-destinations
            assertThat(recorders.destinations()).containsOnlyKeys("kafka:orders", "pulsar:orders");
        }
    }

    @Test
    void badSettingsAreRefusedWithTheFix() {
        LatencyProperties p = new LatencyProperties();
        p.setMaxDestinations(0);
        assertThatThrownBy(() -> new LatencyRecorders(p)).hasMessageContaining("latency.max-destinations")
                .hasMessageContaining("latency.enabled=false");
        LatencyProperties q = new LatencyProperties();
        q.setSlos(List.of("p99 < 50"));
        assertThatThrownBy(() -> new LatencyRecorders(q)).hasMessageContaining("expected a unit");
    }

    @Test
    void theMetersOfEveryDestinationGoToEveryRegistryBoundBeforeOrAfter() {
        LatencyProperties p = new LatencyProperties();
        p.setSlos(List.of("lost == 0"));
        SimpleMeterRegistry first = new SimpleMeterRegistry();
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        try (LatencyRecorders recorders = new LatencyRecorders(p)) {
            recorders.bindTo(first);
            recorders.recorderFor("kafka", "orders");
            recorders.bindTo(second);
            recorders.recorderFor("kafka", "payments");
            for (SimpleMeterRegistry r : new SimpleMeterRegistry[] {first, second}) {
                for (String destination : new String[] {"orders", "payments"}) {
                    assertThat(r.get(LatencyMeters.MESSAGES_COUNTER).tag("messaging.destination.name", destination)
                            .tag("outcome", "sent").functionCounter().count()).isZero();
                    assertThat(r.get(LatencyRecorders.SLO_GAUGE).tag("messaging.destination.name", destination)
                            .tag("slo", "lost == 0").gauge()).isNotNull();
                }
            }
            recorders.close();
            assertThat(first.getMeters()).isEmpty();
            assertThat(second.getMeters()).isEmpty();
        }
    }
}
