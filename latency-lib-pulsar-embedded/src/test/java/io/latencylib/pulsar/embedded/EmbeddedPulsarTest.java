package io.latencylib.pulsar.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.embedded.LinkDelay;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.Test;

/**
 * The standalone, talked to through the shaded {@code org.apache.pulsar:pulsar-client} as an application
 * has it: this JVM holds none of the broker's classes.
 */
class EmbeddedPulsarTest {

    @Test
    void theBrokerIsNotOnThisClasspath() {
        assertThatThrownBy(() -> Class.forName("org.apache.pulsar.PulsarStandaloneStarter"))
                .isInstanceOf(ClassNotFoundException.class);
        // the shaded client: its Netty is relocated
        assertThat(System.getProperty("java.class.path")).doesNotContain("pulsar-client-original")
                .doesNotContain("pulsar-broker");
    }

    @Test
    void servesRestartsWithItsDataAndLeavesNothingBehind() throws Exception {
        long t0 = System.nanoTime();
        EmbeddedPulsar pulsar = EmbeddedPulsar.builder().start();
        System.out.printf("started in %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, pulsar);
        Path dir = pulsar.directory();
        long pid = pulsar.pid();
        try (pulsar) {
            assertThat(pulsar.isRunning()).isTrue();
            assertThat(pulsar.brokerTimestamps()).isTrue();
            assertThat(roundTrip(pulsar.serviceUrl(), "persistent://public/default/plain")).isTrue();
            pulsar.createPartitionedTopic("persistent://public/default/parted", 3);
            assertThat(roundTrip(pulsar.serviceUrl(), "persistent://public/default/parted")).isTrue();

            // a message stored before a restart is there after it, on the same address
            String topic = "persistent://public/default/survives-restart";
            String serviceUrl = pulsar.serviceUrl();
            MessageId sent;
            try (PulsarClient client = PulsarClient.builder().serviceUrl(serviceUrl).build();
                 Consumer<String> subscribed = subscribe(client, topic); // the subscription keeps the message
                 Producer<String> producer = client.newProducer(Schema.STRING).topic(topic).create()) {
                sent = producer.send("before the restart");
            }
            pulsar.stop();
            assertThat(pulsar.isRunning()).isFalse();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
            assertThat(dir).isDirectory();
            try (PulsarClient client = PulsarClient.builder().serviceUrl(serviceUrl)
                    .operationTimeout(2, TimeUnit.SECONDS).connectionTimeout(1, TimeUnit.SECONDS).build()) {
                assertThatThrownBy(() -> client.newProducer(Schema.STRING).topic(topic).create())
                        .isInstanceOf(PulsarClientException.class);
            }
            long t1 = System.nanoTime();
            pulsar.start();
            System.out.printf("restarted in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
            assertThat(pulsar.isRunning()).isTrue();
            assertThat(pulsar.serviceUrl()).isEqualTo(serviceUrl);
            try (PulsarClient client = PulsarClient.builder().serviceUrl(serviceUrl).build();
                 Consumer<String> consumer = subscribe(client, topic)) {
                Message<String> m = consumer.receive(30, TimeUnit.SECONDS);
                assertThat(m).isNotNull();
                assertThat(m.getValue()).isEqualTo("before the restart");
                assertThat(m.getMessageId()).isEqualTo(sent);
            }
            pid = pulsar.pid();
        }
        assertThat(pulsar.isRunning()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
        assertThat(Files.exists(dir)).isFalse();
        assertThatThrownBy(pulsar::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        pulsar.close(); // idempotent
    }

    @Test
    void twoAtOnceWithTheirOwnSettings() throws Exception {
        try (EmbeddedPulsar plain = EmbeddedPulsar.builder().brokerTimestamps(false)
                .brokerProperty("managedLedgerNewEntriesCheckDelayInMillis", "50").start();
             EmbeddedPulsar stamped = EmbeddedPulsar.builder().start()) {
            assertThat(plain.serviceUrl()).isNotEqualTo(stamped.serviceUrl());
            assertThat(plain.brokerConfig()).containsEntry("managedLedgerNewEntriesCheckDelayInMillis", "50");
            assertThat(plain.brokerTimestamps()).isFalse();
            assertThat(roundTrip(plain.serviceUrl(), "persistent://public/default/t")).isFalse();
            assertThat(roundTrip(stamped.serviceUrl(), "persistent://public/default/t")).isTrue();
        }
    }

    /**
     * What adapter tests rely on to delay one client's link: the standalone advertises a loopback
     * address, so its topic lookups tell clients to connect through their service URL
     * ({@code proxyThroughServiceUrl}). A client whose service URL is a {@link LinkDelay} in front of the
     * broker therefore talks to the broker only through it, and a client of the broker's own URL does
     * not: with 300 ms on the proxy's way to the client, the same message reaches the first 300 ms
     * after the second.
     */
    @Test
    void aClientWhoseServiceUrlIsAProxyTalksToTheBrokerOnlyThroughIt() throws Exception {
        String topic = "persistent://public/default/delayed";
        try (EmbeddedPulsar pulsar = EmbeddedPulsar.builder().start();
             LinkDelay link = LinkDelay.to("127.0.0.1", URI.create(pulsar.serviceUrl()).getPort());
             PulsarClient direct = PulsarClient.builder().serviceUrl(pulsar.serviceUrl()).build();
             PulsarClient delayed = PulsarClient.builder().serviceUrl("pulsar://" + link.address()).build();
             Consumer<String> near = direct.newConsumer(Schema.STRING).topic(topic).subscriptionName("near").subscribe();
             Consumer<String> far = delayed.newConsumer(Schema.STRING).topic(topic).subscriptionName("far").subscribe();
             Producer<String> producer = direct.newProducer(Schema.STRING).topic(topic).create()) {
            link.delayToClient(Duration.ofMillis(300));
            long fastestNear = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long sentAt = System.nanoTime();
                producer.send("m" + i);
                Message<String> a = near.receive(30, TimeUnit.SECONDS);
                long nearAt = System.nanoTime();
                Message<String> b = far.receive(30, TimeUnit.SECONDS);
                long farAt = System.nanoTime();
                assertThat(a.getValue()).isEqualTo("m" + i);
                assertThat(b.getValue()).isEqualTo("m" + i);
                System.out.printf("after send: near %d ms, through the proxy %d ms%n",
                        (nearAt - sentAt) / 1_000_000, (farAt - sentAt) / 1_000_000);
                // the proxy holds every byte for the client 300 ms: no message reaches it sooner after its send
                assertThat(farAt - sentAt).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
                fastestNear = Math.min(fastestNear, nearAt - sentAt);
                near.acknowledge(a);
                far.acknowledge(b);
            }
            // the direct client is not behind the proxy: at least one of three rounds beats its delay
            assertThat(fastestNear).isLessThan(TimeUnit.MILLISECONDS.toNanos(250));
        }
    }

    @Test
    void aBadSettingFailsWithTheBrokersReason() {
        assertThatThrownBy(() -> EmbeddedPulsar.builder().brokerProperty("managedLedgerDefaultEnsembleSize", "x")
                .startupTimeout(Duration.ofSeconds(60)).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not start")
                .hasMessageContaining("managedLedgerDefaultEnsembleSize");
    }

    /**
     * The JVM that started a standalone is killed (SIGKILL, no shutdown hook runs): its child JVM
     * notices its stdin closing, stops and deletes the standalone's directory.
     */
    @Test
    void aKilledOwnerLeavesNothingRunningOrOnDisk() throws Exception {
        Path parent = Files.createTempDirectory("embedded-pulsar-owner-");
        Process owner = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StartAndWait.class.getName(), parent.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("the owner JVM's report").isNotNull().startsWith("STARTED ");
            String[] parts = line.split(" ");
            long childPid = Long.parseLong(parts[1]);
            Path dir = Path.of(parts[2]);
            assertThat(dir).isDirectory();
            ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
            assertThat(child.isAlive()).isTrue();

            owner.destroyForcibly(); // SIGKILL
            assertThat(owner.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.onExit().get(60, TimeUnit.SECONDS).isAlive()).isFalse();
            assertThat(Files.exists(dir)).as("the directory of a standalone whose owner was killed").isFalse();
        } finally {
            owner.destroyForcibly();
            Files.deleteIfExists(parent);
        }
    }

    /** The owner JVM of {@link #aKilledOwnerLeavesNothingRunningOrOnDisk}: starts a standalone, says so, waits. */
    public static final class StartAndWait {
        public static void main(String[] args) throws Exception {
            EmbeddedPulsar pulsar = EmbeddedPulsar.builder().parentDirectory(Path.of(args[0])).start();
            System.out.println("STARTED " + pulsar.pid() + " " + pulsar.directory());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE); // until killed
        }
    }

    private static Consumer<String> subscribe(PulsarClient client, String topic) throws PulsarClientException {
        return client.newConsumer(Schema.STRING).topic(topic).subscriptionName("s")
                .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).subscribe();
    }

    /** @return whether the message carried the broker's publish time */
    private static boolean roundTrip(String serviceUrl, String topic) throws Exception {
        try (PulsarClient client = PulsarClient.builder().serviceUrl(serviceUrl).build();
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
