/**
 * RabbitMQ in latency-lib-junit tests: {@link io.latencylib.rabbitmq.junit.RabbitSession}, the
 * session a test asks for by parameter type. Needs {@code io.latencylib:latency-lib-junit} on the
 * test classpath (an optional dependency of this module); the broker comes from
 * {@code latency.rabbitmq.uri}, a Testcontainers RabbitMQ container, or the embedded node.
 */
package io.latencylib.rabbitmq.junit;
