package io.latencylib.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.junit.LatencySession;
import io.latencylib.junit.spi.LatencySystemProvider;
import io.latencylib.junit.spi.ProvisionedBroker;
import io.latencylib.junit.spi.SessionContext;
import io.latencylib.junit.spi.Settings;
import io.latencylib.load.LoadDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The parts of the extension that need no broker (the annotation's attributes are in AttributesTest):
 * file names, settings, which system a test uses and the errors when none can be chosen, and the order of the provisioning paths (with
 * providers that only say which path was asked of them: the brokers themselves are tested in each
 * adapter against real brokers).
 */
class InternalsTest {

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
    void aSettingIsTheParameterOrSystemPropertyElseTheEnvironmentVariable() {
        Map<String, String> params = Map.of("latency.pulsar.url", " pulsar://a:6650 ", "latency.pulsar.http", "  ");
        Map<String, String> env = Map.of("LATENCY_PULSAR_URL", "pulsar://b:6650", "LATENCY_PULSAR_HTTP", "http://b:8080",
                "LATENCY_PULSAR_TESTCONTAINERS_IMAGE", "apachepulsar/pulsar:4.0.7");
        SystemSettings s = new SystemSettings("pulsar", k -> Optional.ofNullable(params.get(k)), env::get);

        assertThat(s.get("url")).contains("pulsar://a:6650");                    // trimmed; the parameter wins
        assertThat(s.source("url")).isEqualTo("latency.pulsar.url");
        assertThat(s.get("http")).contains("http://b:8080");                     // blank counts as absent
        assertThat(s.source("http")).isEqualTo("LATENCY_PULSAR_HTTP");
        assertThat(s.get("testcontainers.image")).contains("apachepulsar/pulsar:4.0.7"); // dots as underscores
        assertThat(s.get("testcontainers")).isEmpty();
        assertThat(s.source("testcontainers")).isNull();
        assertThat(new SystemSettings("rabbitmq", k -> Optional.empty(), k -> null).variable("tls-port"))
                .isEqualTo("LATENCY_RABBITMQ_TLS_PORT");
    }

    interface KafkaLike extends LatencySession {
    }

    interface PulsarLike extends LatencySession {
    }

    @Test
    void theSystemIsTheSessionParameterElseTheAnnotationElseTheOnlyOneInstalled() {
        Path kafka = new Path("kafka", KafkaLike.class);
        Path pulsar = new Path("pulsar", PulsarLike.class);
        List<LatencySystemProvider> both = List.of(kafka, pulsar);

        assertThat(Systems.choose(both, List.of(PulsarLike.class), "kafka", "T.t()")).isSameAs(pulsar);
        assertThat(Systems.choose(both, List.of(String.class, LatencySession.class), "pulsar", "T.t()")).isSameAs(pulsar);
        assertThat(Systems.choose(List.of(kafka), List.of(LatencySession.class), null, "T.t()")).isSameAs(kafka);
        assertThat(Systems.choose(both, List.of(KafkaLike.class, PulsarLike.class), "pulsar", "T.t()")).isSameAs(pulsar);
        assertThat(Systems.forSessionType(both, PulsarLike.class)).isSameAs(pulsar);
        assertThat(Systems.forSessionType(both, LatencySession.class)).isNull();
    }

    @Test
    void whenNoSystemCanBeChosenTheErrorListsWhatWasFoundAndWhatToAdd() {
        Path kafka = new Path("kafka", KafkaLike.class);
        Path pulsar = new Path("pulsar", PulsarLike.class);

        assertThatThrownBy(() -> Systems.choose(List.of(), List.of(LatencySession.class), null, "OrdersTest.fast()"))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith("OrdersTest.fast(): no latency system is on the test classpath")
                .hasMessageContaining("io.latencylib:latency-lib-kafka (kafka)")
                .hasMessageContaining("io.latencylib:latency-lib-pulsar (pulsar)")
                .hasMessageContaining("io.latencylib:latency-lib-rabbitmq (rabbitmq)");
        assertThatThrownBy(() -> Systems.choose(List.of(kafka, pulsar), List.of(), null, "OrdersTest.fast()"))
                .hasMessageContaining("several latency systems are on the test classpath (kafka, pulsar)")
                .hasMessageContaining("@LatencySLO(system = \"kafka\")")
                .hasMessageContaining("(KafkaLike, PulsarLike)");
        assertThatThrownBy(() -> Systems.choose(List.of(kafka), List.of(), "rabbitmq", "OrdersTest.fast()"))
                .hasMessage("OrdersTest.fast(): @LatencySLO(system = \"rabbitmq\") but the test classpath has only kafka;"
                        + " add io.latencylib:latency-lib-rabbitmq as a test dependency");
        assertThatThrownBy(() -> Systems.choose(List.of(kafka), List.of(), "kafak", "OrdersTest.fast()"))
                .hasMessageContaining("known systems: kafka, pulsar, rabbitmq");
        assertThatThrownBy(() -> Systems.choose(List.of(kafka, pulsar), List.of(KafkaLike.class, PulsarLike.class),
                null, "OrdersTest.fast()"))
                .hasMessageContaining("sessions of several systems (kafka, pulsar)");
    }

    @Test
    void anAddressGivenIsUsedAsIsAndWinsOverEverythingElse() {
        Path p = new Path("kafka", KafkaLike.class);
        RunBroker run = RunBroker.provision(p, params("latency.kafka.testcontainers", "true", "latency.kafka.warmup", "0s"),
                Map.of("LATENCY_KAFKA_BOOTSTRAP", "10.0.0.1:9092")::get);

        assertThat(p.asked).containsExactly("connect 10.0.0.1:9092");
        assertThat(run.description()).isEqualTo("address: the broker at 10.0.0.1:9092, given by LATENCY_KAFKA_BOOTSTRAP");
        run.close();
        assertThat(p.asked).containsExactly("connect 10.0.0.1:9092", "close 10.0.0.1:9092");
    }

    @Test
    void testcontainersThatCannotBeUsedFallsBackToTheEmbeddedBrokerSayingWhy() {
        Path p = new Path("kafka", KafkaLike.class);
        p.containerUnavailable = "Docker is not available";
        RunBroker run = RunBroker.provision(p, params("latency.kafka.testcontainers", "TRUE",
                "latency.kafka.testcontainers.image", "my/kafka:1", "latency.kafka.warmup", "0s"), k -> null);

        assertThat(p.asked).containsExactly("container my/kafka:1", "embedded");
        assertThat(run.description()).isEqualTo("embedded: the embedded kafka broker at embedded:1, started for this test"
                + " run; latency.kafka.testcontainers=true was set but Docker is not available, so the embedded broker"
                + " is used");

        Path q = new Path("rabbitmq", KafkaLike.class);
        assertThat(RunBroker.provision(q, params("latency.rabbitmq.testcontainers", "true", "latency.rabbitmq.warmup",
                "0s"), k -> null).description()).isEqualTo("testcontainers: a Testcontainers container (image/rabbitmq:1)"
                + " at container:1, asked for by latency.rabbitmq.testcontainers=true");
    }

    @Test
    void withoutAnEmbeddedBrokerTheErrorNamesTheDependencyAndTheAddressSetting() {
        Path p = new Path("pulsar", PulsarLike.class);
        p.embeddedUnavailable = "add io.latencylib:latency-lib-pulsar-embedded as a test dependency";

        assertThatThrownBy(() -> RunBroker.provision(p, params("latency.pulsar.warmup", "0s"), k -> null))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("latency-lib-junit has no pulsar broker: add io.latencylib:latency-lib-pulsar-embedded as a"
                        + " test dependency; or set latency.pulsar.url (or LATENCY_PULSAR_URL) to the address of a broker");
        assertThatThrownBy(() -> RunBroker.provision(new Path("kafka", KafkaLike.class),
                params("latency.kafka.warmup", "two seconds"), k -> null))
                .isInstanceOf(ExtensionConfigurationException.class).hasNoCause()
                .hasMessage("bad latency.kafka.warmup \"two seconds\" at position 0: expected a number such as 50 or"
                        + " 0.5, found \"two\"; latency.kafka.warmup must be between 0 and 24h, written like 500ms,"
                        + " 1.5s or 2min\n  two seconds\n  ^");
    }

    private static java.util.function.Function<String, Optional<String>> params(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return k -> Optional.ofNullable(m.get(k));
    }

    /** A provider that says which path it was asked for; its brokers open no session. */
    static final class Path implements LatencySystemProvider {
        final String system;
        final Class<? extends LatencySession> sessionType;
        final List<String> asked = new ArrayList<>();
        String containerUnavailable;
        String embeddedUnavailable;

        Path(String system, Class<? extends LatencySession> sessionType) {
            this.system = system;
            this.sessionType = sessionType;
        }

        @Override
        public String system() {
            return system;
        }

        @Override
        public Class<? extends LatencySession> sessionType() {
            return sessionType;
        }

        @Override
        public String addressKey() {
            return system.equals("pulsar") ? "url" : "bootstrap";
        }

        @Override
        public String defaultContainerImage() {
            return "image/" + system + ":1";
        }

        @Override
        public ProvisionedBroker connect(String address, Settings settings) {
            asked.add("connect " + address);
            return broker(address);
        }

        @Override
        public ProvisionedBroker startContainer(String image, Settings settings) throws Unavailable {
            asked.add("container " + image);
            if (containerUnavailable != null) {
                throw new Unavailable(containerUnavailable);
            }
            return broker("container:1");
        }

        @Override
        public ProvisionedBroker startEmbedded(Settings settings) throws Unavailable {
            asked.add("embedded");
            if (embeddedUnavailable != null) {
                throw new Unavailable(embeddedUnavailable);
            }
            return broker("embedded:1");
        }

        private ProvisionedBroker broker(String address) {
            return new ProvisionedBroker() {
                @Override
                public String address() {
                    return address;
                }

                @Override
                public LoadDriver newLoadDriver() {
                    throw new UnsupportedOperationException("no broker here: the warm-up is off in these tests");
                }

                @Override
                public LatencySession openSession(SessionContext context) {
                    throw new UnsupportedOperationException("no broker here");
                }

                @Override
                public void close() {
                    asked.add("close " + address);
                }
            };
        }
    }
}
