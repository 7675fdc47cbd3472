/**
 * How a messaging system plugs into latency-lib-junit: a {@link io.latencylib.junit.spi.LatencySystemProvider}
 * found by service loading provisions the run's broker ({@link io.latencylib.junit.spi.ProvisionedBroker}),
 * which opens each test's session. Implemented by the adapters (Kafka, Pulsar, RabbitMQ); applications
 * never call it.
 */
package io.latencylib.junit.spi;
