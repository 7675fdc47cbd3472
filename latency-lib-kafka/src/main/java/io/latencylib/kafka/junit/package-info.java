/**
 * Kafka for latency-lib-junit: {@link io.latencylib.kafka.junit.KafkaSession}, the session a test
 * asks for by parameter type. The provider that plugs Kafka into the extension is found by service
 * loading; nothing here needs to be registered.
 */
package io.latencylib.kafka.junit;
