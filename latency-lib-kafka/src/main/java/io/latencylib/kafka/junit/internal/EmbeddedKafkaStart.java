package io.latencylib.kafka.junit.internal;

import io.latencylib.kafka.embedded.EmbeddedKafka;

/**
 * The only class that touches {@code latency-lib-kafka-embedded} (an optional dependency): loaded
 * only after {@link KafkaSystemProvider} found it on the classpath; JDK types in its signature.
 */
final class EmbeddedKafkaStart {

    private EmbeddedKafkaStart() {
    }

    /** @return {bootstrap servers, the broker (AutoCloseable)} */
    static Object[] start() {
        EmbeddedKafka kafka = EmbeddedKafka.builder().start();
        return new Object[] {kafka.bootstrapServers(), kafka};
    }
}
