package io.latencylib.pulsar.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.Test;

class EmbeddedPulsarTest {

    @Test
    void startsServesAndDeletesItsDirectory() throws Exception {
        long t0 = System.nanoTime();
        Path dir;
        try (EmbeddedPulsar pulsar = EmbeddedPulsar.start()) {
            System.out.printf("started in %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, pulsar);
            dir = pulsar.directory();
            assertThat(pulsar.brokerTimestamps()).isTrue();
            assertThat(roundTrip(pulsar, "persistent://public/default/plain")).isTrue();
            pulsar.createPartitionedTopic("persistent://public/default/parted", 3);
            assertThat(roundTrip(pulsar, "persistent://public/default/parted")).isTrue();
            // a second standalone with other settings, in a child JVM, next to this one, on the classpath the
            // build recorded (what an application without pulsar-broker on its classpath gets)
            try (EmbeddedPulsar other = EmbeddedPulsar.builder().childJvm(true).brokerTimestamps(false)
                    .childClasspath(EmbeddedPulsar.builtInClasspath())
                    .brokerProperty("managedLedgerNewEntriesCheckDelayInMillis", "50").start()) {
                assertThat(other.inChildJvm()).isTrue();
                assertThat(other.brokerConfig()).containsEntry("managedLedgerNewEntriesCheckDelayInMillis", "50");
                assertThat(roundTrip(other, "persistent://public/default/plain")).isFalse();
            }
        }
        assertThat(Files.exists(dir)).isFalse();
    }

    /** @return whether the message carried the broker's publish time */
    private static boolean roundTrip(EmbeddedPulsar pulsar, String topic) throws Exception {
        try (PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl()).build();
             Consumer<String> consumer = client.newConsumer(Schema.STRING).topic(topic).subscriptionName("s").subscribe();
             Producer<String> producer = client.newProducer(Schema.STRING).topic(topic).create()) {
            MessageId id = producer.send("hello");
            Message<String> m = consumer.receive(30, TimeUnit.SECONDS);
            assertThat(m).isNotNull();
            assertThat(m.getValue()).isEqualTo("hello");
            assertThat(m.getMessageId()).isEqualTo(id);
            return m.getBrokerPublishTime().isPresent();
        }
    }
}
