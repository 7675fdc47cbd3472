package io.latencylib.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InternalsTest {

    @Test
    void durationsReadTheWayPeopleWriteThem() {
        assertThat(DurationText.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(DurationText.parse(" 500ms ")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationText.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationText.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationText.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(DurationText.parse("0")).isZero();
        assertThat(DurationText.parse("PT3S")).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> DurationText.parse("10")).hasMessageContaining("needs a unit");
        assertThatThrownBy(() -> DurationText.parse("ten seconds")).hasMessageContaining("\"10s\"");
        assertThatThrownBy(() -> DurationText.parse("-1s")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reportFileNamesAreSafe() {
        assertThat(ReportFiles.sanitize("consumerDelay(int, LatencySession) consumer delay 0 ms"))
                .isEqualTo("consumerDelay_int_LatencySession_consumer_delay_0_ms");
        assertThat(ReportFiles.sanitize("io.latencylib.Outer$Inner")).isEqualTo("io.latencylib.Outer$Inner");
        assertThat(ReportFiles.sanitize("../../etc/passwd")).isEqualTo("etc_passwd");
        assertThat(ReportFiles.sanitize("[1] ✓")).isEqualTo("1");
        assertThat(ReportFiles.sanitize("x".repeat(300))).hasSize(120);
    }

    @Test
    void anAddressGivenInTheEnvironmentIsUsedAsIs() throws Throwable {
        Broker broker = BrokerProvisioning.provision(k -> Optional.empty(),
                Map.of(BrokerProvisioning.BOOTSTRAP_ENV, "127.0.0.1:1")::get);
        try {
            assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:1");
            assertThat(broker.description()).isEqualTo("the broker at 127.0.0.1:1, given by LATENCY_KAFKA_BOOTSTRAP");
        } finally {
            broker.close();
        }
    }

    @Test
    void theSystemPropertyWinsOverTheEnvironment() throws Throwable {
        Broker broker = BrokerProvisioning.provision(
                k -> k.equals(BrokerProvisioning.BOOTSTRAP_PROPERTY) ? Optional.of("127.0.0.1:2") : Optional.empty(),
                Map.of(BrokerProvisioning.BOOTSTRAP_ENV, "127.0.0.1:1")::get);
        try {
            assertThat(broker.description()).isEqualTo("the broker at 127.0.0.1:2, given by latency.kafka.bootstrap");
        } finally {
            broker.close();
        }
    }
}
