package io.latencylib.junit.internal;

import io.latencylib.kafka.embedded.EmbeddedKafka;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds or starts the one broker of a test run, in this order: an address the user gave; a
 * Testcontainers Kafka container when asked for and Docker answers; the embedded broker. Internal.
 */
public final class BrokerProvisioning {

    /** System property or JUnit configuration parameter: the address of a broker to use. */
    public static final String BOOTSTRAP_PROPERTY = "latency.kafka.bootstrap";
    /** Environment variable: the address of a broker to use (when the property is not set). */
    public static final String BOOTSTRAP_ENV = "LATENCY_KAFKA_BOOTSTRAP";
    /** System property or JUnit configuration parameter: {@code true} to try a Testcontainers Kafka container. */
    public static final String TESTCONTAINERS_PROPERTY = "latency.kafka.testcontainers";
    /** System property or JUnit configuration parameter: the image of that container. */
    public static final String TESTCONTAINERS_IMAGE_PROPERTY = "latency.kafka.testcontainers.image";
    /** The image used unless {@link #TESTCONTAINERS_IMAGE_PROPERTY} says otherwise. */
    public static final String DEFAULT_IMAGE = "apache/kafka:4.1.1";

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.junit");
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create("io.latencylib.junit", "broker");

    private BrokerProvisioning() {
    }

    /** @return the run's broker, provisioned by the first caller (thread-safe: JUnit's store computes it once) */
    public static Broker broker(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Broker.class, k -> provision(context::getConfigurationParameter, System::getenv),
                        Broker.class);
    }

    /** Chooses and starts the broker; {@code setting} reads JUnit configuration parameters (which fall back to system properties). */
    static Broker provision(Function<String, Optional<String>> setting, Function<String, String> env) {
        Broker broker = choose(setting, env);
        log.info("latency-lib-junit: Kafka broker for this test run: {}", broker.description());
        return broker;
    }

    private static Broker choose(Function<String, Optional<String>> setting, Function<String, String> env) {
        Optional<String> given = setting.apply(BOOTSTRAP_PROPERTY).filter(s -> !s.isBlank());
        if (given.isPresent()) {
            return new Broker(given.get().trim(), "the broker at " + given.get().trim() + ", given by "
                    + BOOTSTRAP_PROPERTY, null);
        }
        String fromEnv = env.apply(BOOTSTRAP_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new Broker(fromEnv.trim(), "the broker at " + fromEnv.trim() + ", given by " + BOOTSTRAP_ENV, null);
        }
        String fallback = "";
        if (setting.apply(TESTCONTAINERS_PROPERTY).map(v -> v.trim().equalsIgnoreCase("true")).orElse(false)) {
            String image = setting.apply(TESTCONTAINERS_IMAGE_PROPERTY).filter(s -> !s.isBlank()).orElse(DEFAULT_IMAGE);
            String why;
            if (!onClasspath("org.testcontainers.kafka.KafkaContainer")
                    || !onClasspath("org.testcontainers.DockerClientFactory")) {
                why = "org.testcontainers:kafka is not on the test classpath";
            } else {
                try {
                    Object[] started = TestcontainersKafka.start(image);
                    if (started[0] != null) {
                        return new Broker((String) started[0], "a Testcontainers Kafka container (" + image + ") at "
                                + started[0] + ", asked for by " + TESTCONTAINERS_PROPERTY + "=true",
                                (AutoCloseable) started[1]);
                    }
                    why = (String) started[2];
                } catch (LinkageError | RuntimeException e) {
                    why = "starting the container failed: " + e;
                }
            }
            fallback = "; " + TESTCONTAINERS_PROPERTY + "=true was set but " + why + ", so the embedded broker is used";
            log.warn("latency-lib-junit: {} was set but {}; falling back to the embedded Kafka broker",
                    TESTCONTAINERS_PROPERTY, why);
        }
        return embedded(fallback);
    }

    private static Broker embedded(String fallback) {
        if (!onClasspath("io.latencylib.kafka.embedded.EmbeddedKafka")) {
            throw new ExtensionConfigurationException("latency-lib-junit has no Kafka broker: set " + BOOTSTRAP_PROPERTY
                    + " (or " + BOOTSTRAP_ENV + ") to a broker's address, or put io.latencylib:latency-lib-kafka-embedded"
                    + " on the test classpath" + fallback);
        }
        EmbeddedKafka kafka = EmbeddedKafka.builder().start();
        return new Broker(kafka.bootstrapServers(), "the embedded Kafka broker (latency-lib-kafka-embedded, in this"
                + " JVM) at " + kafka.bootstrapServers() + fallback, kafka);
    }

    private static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, BrokerProvisioning.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
