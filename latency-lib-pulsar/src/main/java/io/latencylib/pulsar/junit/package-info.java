/**
 * Pulsar in latency-lib-junit's tests: {@link io.latencylib.pulsar.junit.PulsarSession}, injected by
 * the extension when latency-lib-junit is on the test classpath (found by service loading; no Kafka or
 * RabbitMQ class involved). The run's broker is the one of setting {@code latency.pulsar.url}
 * ({@code LATENCY_PULSAR_URL}), a Testcontainers {@code PulsarContainer} with
 * {@code latency.pulsar.testcontainers=true}, else the embedded standalone of
 * {@code io.latencylib:latency-lib-pulsar-embedded}.
 */
package io.latencylib.pulsar.junit;
