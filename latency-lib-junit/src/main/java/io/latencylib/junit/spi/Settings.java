package io.latencylib.junit.spi;

import java.util.Optional;

/**
 * The settings of one system, read by key: {@code get("bootstrap")} for Kafka reads the JUnit
 * configuration parameter or system property {@code latency.kafka.bootstrap}, else the environment
 * variable {@code LATENCY_KAFKA_BOOTSTRAP} (dots and dashes as underscores, upper case). Blank values
 * count as absent.
 */
@FunctionalInterface
public interface Settings {

    /** @return the value of {@code latency.<system>.<key>}, trimmed, if set and not blank */
    Optional<String> get(String key);
}
