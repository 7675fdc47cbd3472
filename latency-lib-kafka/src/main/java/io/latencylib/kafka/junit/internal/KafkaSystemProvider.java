package io.latencylib.kafka.junit.internal;

import io.latencylib.junit.LatencySession;
import io.latencylib.junit.spi.LatencySystemProvider;
import io.latencylib.junit.spi.ProvisionedBroker;
import io.latencylib.junit.spi.Settings;
import io.latencylib.kafka.junit.KafkaSession;

/**
 * Kafka for latency-lib-junit, found by service loading: address setting {@code latency.kafka.bootstrap}
 * ({@code LATENCY_KAFKA_BOOTSTRAP}); a Testcontainers {@code org.testcontainers.kafka.KafkaContainer}
 * (image {@value #DEFAULT_IMAGE} unless {@code latency.kafka.testcontainers.image}) when
 * {@code latency.kafka.testcontainers=true}; else the embedded broker of
 * {@code io.latencylib:latency-lib-kafka-embedded}. Testcontainers and the embedded broker are
 * optional dependencies, used behind class checks. Internal: public for the service loader only.
 */
public final class KafkaSystemProvider implements LatencySystemProvider {

    /** The Testcontainers image unless {@code latency.kafka.testcontainers.image} says otherwise. */
    public static final String DEFAULT_IMAGE = "apache/kafka:4.1.1";

    /** Made by the service loader. */
    public KafkaSystemProvider() {
    }

    @Override
    public String system() {
        return "kafka";
    }

    @Override
    public Class<? extends LatencySession> sessionType() {
        return KafkaSession.class;
    }

    @Override
    public String addressKey() {
        return "bootstrap";
    }

    @Override
    public String defaultContainerImage() {
        return DEFAULT_IMAGE;
    }

    @Override
    public ProvisionedBroker connect(String address, Settings settings) {
        return new KafkaBroker(address, null);
    }

    @Override
    public ProvisionedBroker startContainer(String image, Settings settings) throws Unavailable {
        if (!onClasspath("org.testcontainers.kafka.KafkaContainer") || !onClasspath("org.testcontainers.DockerClientFactory")) {
            throw new Unavailable("org.testcontainers:kafka is not on the test classpath (add it as a test dependency)");
        }
        Object[] started;
        try {
            started = TestcontainersKafka.start(image);
        } catch (LinkageError | RuntimeException e) {
            throw new Unavailable("starting the container failed: " + e, e);
        }
        if (started[0] == null) {
            throw new Unavailable((String) started[2]);
        }
        return new KafkaBroker((String) started[0], (AutoCloseable) started[1]);
    }

    @Override
    public ProvisionedBroker startEmbedded(Settings settings) throws Unavailable {
        if (!onClasspath("io.latencylib.kafka.embedded.EmbeddedKafka")) {
            throw new Unavailable("the embedded Kafka broker is not on the test classpath: add"
                    + " io.latencylib:latency-lib-kafka-embedded as a test dependency");
        }
        Object[] started = EmbeddedKafkaStart.start();
        return new KafkaBroker((String) started[0], (AutoCloseable) started[1]);
    }

    private static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, KafkaSystemProvider.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
