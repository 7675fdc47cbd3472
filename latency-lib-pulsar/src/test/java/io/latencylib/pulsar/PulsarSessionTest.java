package io.latencylib.pulsar;

import static io.latencylib.pulsar.PulsarTestSupport.adminUrl;
import static io.latencylib.pulsar.PulsarTestSupport.broker;
import static io.latencylib.pulsar.PulsarTestSupport.client;
import static io.latencylib.pulsar.PulsarTestSupport.serviceUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import io.latencylib.junit.spi.LatencySystemProvider;
import io.latencylib.junit.spi.ProvisionedBroker;
import io.latencylib.junit.spi.Settings;
import io.latencylib.load.LoadReport;
import io.latencylib.load.Schedule;
import io.latencylib.pulsar.internal.PulsarAdminHttp;
import io.latencylib.pulsar.junit.PulsarSession;
import io.latencylib.pulsar.junit.internal.PulsarSystemProvider;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link PulsarSystemProvider} and the {@link PulsarSession} it opens, used directly (no extension):
 * on the run's broker, which {@link PulsarTestSupport} provisioned through the same provider
 * ({@code startEmbedded}, or {@code connect} with {@code latency.pulsar.url}).
 */
@ExtendWith(PulsarTestSupport.class)
class PulsarSessionTest {

    private static final Settings NONE = key -> Optional.empty();

    @Test
    void theProviderIsFoundByServiceLoadingAndDescribesPulsar() {
        List<LatencySystemProvider> found = ServiceLoader.load(LatencySystemProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.system().equals("pulsar")).toList();

        assertThat(found).hasSize(1).first().isInstanceOf(PulsarSystemProvider.class);
        LatencySystemProvider provider = found.get(0);
        assertThat(provider.sessionType()).isEqualTo(PulsarSession.class);
        assertThat(provider.addressKey()).isEqualTo("url");
        assertThat(provider.defaultContainerImage()).startsWith("apachepulsar/pulsar:4.");
        assertThat(broker().address()).isEqualTo(serviceUrl()).startsWith("pulsar://");
        assertThat(broker().newLoadDriver()).isInstanceOf(PulsarLoadDriver.class);
    }

    @Test
    void ownTrafficThroughTheSessionSplitsAllFiveStagesAndEverythingIsClosedAfterwards() throws Exception {
        PulsarClient sessionClient;
        Producer<byte[]> producer;
        Consumer<byte[]> consumer;
        String topic;
        LatencyReport report;
        try (TestSessionContext context = new TestSessionContext(broker())) {
            PulsarSession pulsar = context.open();
            assertThat(pulsar.system()).isEqualTo("pulsar");
            assertThat(pulsar.serviceUrl()).isEqualTo(serviceUrl());
            assertThat(pulsar.httpUrl()).isEqualTo(adminUrl());
            topic = pulsar.newTopic();
            assertThat(topic).startsWith("persistent://public/default/session-test-");
            assertThat(topics("/admin/v2/persistent/public/default")).contains(topic);
            consumer = pulsar.consumer(topic);
            producer = pulsar.producer(topic);
            for (int i = 0; i < 300; i++) {
                producer.send(("m" + i).getBytes(StandardCharsets.UTF_8));
                Message<byte[]> m = consumer.receive(10, TimeUnit.SECONDS);
                assertThat(m).as("message %d", i).isNotNull();
                assertThat(new String(m.getValue(), StandardCharsets.UTF_8)).isEqualTo("m" + i);
                consumer.acknowledge(m);
            }
            sessionClient = pulsar.client();
            assertThat(pulsar.client()).isSameAs(sessionClient);
            report = pulsar.report();
            assertThat(pulsar.recorder().report().counts().joined()).isEqualTo(300);
        }
        LatencyReport.Counts counts = report.counts();
        assertThat(counts.joined()).as(report.toTable()).isEqualTo(300);
        assertThat(counts.lost()).isZero();
        assertThat(report.mergedStages()).as("the broker hands out its publish time: " + report.notes()).isEmpty();
        for (Stage stage : Stage.values()) {
            StageStats stats = report.stage(stage).orElseThrow(() -> new AssertionError("no " + stage + " in "
                    + report.toTable()));
            assertThat(stats.count()).isEqualTo(300);
        }
        // closed: the clients, and the topic is gone
        assertThat(sessionClient.isClosed()).isTrue();
        assertThat(producer.isConnected()).isFalse();
        assertThat(consumer.isConnected()).isFalse();
        assertThat(topics("/admin/v2/persistent/public/default")).doesNotContain(topic);
    }

    @Test
    void aConsumerIsSubscribedWhenReturnedAndGetsWhatIsSentAfterNotBefore() throws Exception {
        try (TestSessionContext context = new TestSessionContext(broker())) {
            PulsarSession pulsar = context.open();
            String topic = pulsar.newTopic();
            try (Producer<String> raw = client().newProducer(Schema.STRING).topic(topic).create()) {
                raw.send("before");
                Consumer<String> consumer = pulsar.consumer(topic, Schema.STRING);
                raw.send("after"); // the very next thing: a consumer not yet subscribed would miss it
                Message<String> m = consumer.receive(10, TimeUnit.SECONDS);
                assertThat(m).isNotNull();
                assertThat(m.getValue()).isEqualTo("after");
                assertThat(consumer.receive(300, TimeUnit.MILLISECONDS)).isNull();
                // sent by an unwrapped producer: received and counted as unstamped, not joined
                assertThat(pulsar.report().counts().unstamped()).isEqualTo(1);
            }
        }
    }

    @Test
    void aPartitionedTopicWithASchemaCarriesKeyedMessagesOnEveryPartition() throws Exception {
        String topic;
        try (TestSessionContext context = new TestSessionContext(broker())) {
            PulsarSession pulsar = context.open();
            topic = pulsar.newTopic(3);
            assertThat(topics("/admin/v2/persistent/public/default/partitioned")).contains(topic);
            Consumer<String> consumer = pulsar.consumer(topic, Schema.STRING);
            Producer<String> producer = pulsar.producer(topic, Schema.STRING);
            for (int i = 0; i < 60; i++) {
                producer.newMessage().key("k" + i).value("v" + i).sendAsync();
            }
            producer.flush();
            java.util.Set<String> partitions = new java.util.HashSet<>();
            java.util.Set<String> values = new java.util.HashSet<>();
            for (int i = 0; i < 60; i++) {
                Message<String> m = consumer.receive(10, TimeUnit.SECONDS);
                assertThat(m).as("message %d of 60", i).isNotNull();
                values.add(m.getValue());
                partitions.add(m.getTopicName());
                consumer.acknowledge(m);
            }
            assertThat(values).hasSize(60);
            assertThat(partitions).hasSize(3);
            LatencyReport report = pulsar.report();
            assertThat(report.counts().joined()).as(report.toTable()).isEqualTo(60);
            assertThat(report.mergedStages()).isEmpty();
        }
        assertThat(topics("/admin/v2/persistent/public/default/partitioned")).as("deleted with the session")
                .doesNotContain(topic);
    }

    @Test
    void whatTheTestMadeItselfIsWrappedAndClosed() throws Exception {
        Producer<byte[]> ownProducer;
        try (TestSessionContext context = new TestSessionContext(broker())) {
            PulsarSession pulsar = context.open();
            String topic = pulsar.newTopic();
            List<String> handled = new CopyOnWriteArrayList<>();
            CountDownLatch all = new CountDownLatch(50);
            pulsar.client().newConsumer(Schema.BYTES).topic(topic).subscriptionName("listener")
                    .messageListener(pulsar.wrap((Consumer<byte[]> c, Message<byte[]> m) -> {
                        handled.add(new String(m.getValue(), StandardCharsets.UTF_8));
                        c.acknowledgeAsync(m);
                        all.countDown();
                    }))
                    .subscribe();
            // a producer of another client, the test's own: wrapped, and closed with the session
            ownProducer = pulsar.wrap(client().newProducer(Schema.BYTES).topic(topic).enableBatching(false).create());
            for (int i = 0; i < 50; i++) {
                ownProducer.send(("x" + i).getBytes(StandardCharsets.UTF_8));
            }
            assertThat(all.await(20, TimeUnit.SECONDS)).as("handled " + handled.size()).isTrue();
            LatencyReport report = pulsar.report();
            assertThat(report.counts().joined()).as(report.toTable()).isEqualTo(50);
            assertThat(report.stage(Stage.FETCH)).isPresent();
        }
        assertThat(ownProducer.isConnected()).isFalse();
        assertThat(client().isClosed()).as("the test's own client is not the session's to close").isFalse();
    }

    @Test
    void loadRunsThroughThePulsarDriverOnAFreshTopicIntoTheTestsRecorder() {
        try (TestSessionContext context = new TestSessionContext(broker())) {
            PulsarSession pulsar = context.open();
            LoadReport load = pulsar.load().schedule(Schedule.constant(500, Duration.ofSeconds(2))).run();
            assertThat(load.sent()).isEqualTo(1000);
            assertThat(load.report().counts().lost()).isZero();
            assertThat(pulsar.report().counts().joined()).isEqualTo(1000);
        }
    }

    @Test
    void badInputGetsAnErrorNamingTheFix() throws IOException {
        PulsarSystemProvider provider = new PulsarSystemProvider();
        try (TestSessionContext context = new TestSessionContext(broker())) {
            PulsarSession pulsar = context.open();
            assertThatThrownBy(() -> pulsar.newTopic(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("partitions must be at least 1");
        }
        assertThatThrownBy(() -> provider.connect("localhost:6650", NONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pulsar://localhost:6650");
        assertThatThrownBy(() -> provider.connect(serviceUrl(), key -> Optional.of("tenant-only")))
                .hasMessageContaining("latency.pulsar.");
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String nobody = "http://127.0.0.1:" + closed;
        assertThatThrownBy(() -> provider.connect(serviceUrl(), key -> key.equals("http") ? Optional.of(nobody)
                : Optional.empty()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("admin API at " + nobody + " (latency.pulsar.http) does not answer")
                .hasMessageContaining("set latency.pulsar.http");
        assertThatThrownBy(() -> provider.connect(serviceUrl(), key -> key.equals("namespace")
                ? Optional.of("public") : key.equals("http") ? Optional.of(adminUrl()) : Optional.empty()))
                .hasMessageContaining("latency.pulsar.namespace must be tenant/namespace");
    }

    @Test
    void theAdminUrlIsDerivedByPulsarsDefaultPorts() {
        assertThat(PulsarAdminHttp.defaultHttpUrl("pulsar://broker.example:6650")).isEqualTo("http://broker.example:8080");
        assertThat(PulsarAdminHttp.defaultHttpUrl("pulsar://b1:6650,b2:6650")).isEqualTo("http://b1:8080");
        assertThat(PulsarAdminHttp.defaultHttpUrl("pulsar+ssl://b:6651")).isEqualTo("https://b:8443");
        assertThat(PulsarAdminHttp.defaultHttpUrl("pulsar://b")).isEqualTo("http://b:8080");
        assertThat(PulsarAdminHttp.defaultHttpUrl("localhost:6650")).isNull();
    }

    @Test
    void aBrokerGivenByAddressIsUsedAsItIsAndNotStopped() throws Exception {
        ProvisionedBroker given = new PulsarSystemProvider().connect(serviceUrl(),
                key -> key.equals("http") ? Optional.of(adminUrl()) : Optional.empty());
        try (TestSessionContext context = new TestSessionContext(given)) {
            PulsarSession pulsar = context.open();
            String topic = pulsar.newTopic();
            Consumer<byte[]> consumer = pulsar.consumer(topic);
            pulsar.producer(topic).send(new byte[] {1});
            assertThat(consumer.receive(10, TimeUnit.SECONDS)).isNotNull();
        }
        given.close();
        // still serving
        try (Producer<byte[]> p = client().newProducer().topic(PulsarTestSupport.newTopic("after-close")).create()) {
            assertThat(p.send(new byte[] {2})).isNotNull();
        }
    }

    @Test
    void testcontainersWithoutDockerIsUnavailableWithTheReason() {
        assertThatThrownBy(() -> new PulsarSystemProvider().startContainer(PulsarSystemProvider.DEFAULT_IMAGE, NONE))
                .isInstanceOf(LatencySystemProvider.Unavailable.class)
                .hasMessageContaining("Docker");
    }

    @Test
    void withoutTheOptionalModulesEachPathSaysWhichDependencyToAdd() throws Exception {
        try (Hiding loader = new Hiding("io.latencylib.pulsar.embedded.", "org.testcontainers.")) {
            LatencySystemProvider provider = (LatencySystemProvider) loader
                    .loadClass(PulsarSystemProvider.class.getName()).getConstructor().newInstance();
            assertThat(provider.getClass().getClassLoader()).isSameAs(loader);
            assertThatThrownBy(() -> provider.startEmbedded(NONE)).isInstanceOf(LatencySystemProvider.Unavailable.class)
                    .hasMessageContaining("io.latencylib:latency-lib-pulsar-embedded")
                    .hasMessageContaining("latency.pulsar.url");
            assertThatThrownBy(() -> provider.startContainer(PulsarSystemProvider.DEFAULT_IMAGE, NONE))
                    .isInstanceOf(LatencySystemProvider.Unavailable.class)
                    .hasMessageContaining("org.testcontainers:pulsar is not on the test classpath");
        }
    }

    /** @return the topics the admin API lists under {@code path} */
    private static List<String> topics(String path) {
        var response = PulsarAdminHttp.send(adminUrl(), "GET", path, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String body = response.body().replaceAll("[\\[\\]\"\\s]", "");
        return body.isEmpty() ? List.of() : List.of(body.split(","));
    }

    /**
     * Loads the provider's package from this module's classes on its own, everything else from the test
     * class path, and hides the packages given, as on a classpath without them.
     */
    private static final class Hiding extends URLClassLoader {
        private final String[] hidden;

        Hiding(String... hidden) {
            super(new URL[] {PulsarSystemProvider.class.getProtectionDomain().getCodeSource().getLocation()},
                    PulsarSessionTest.class.getClassLoader());
            this.hidden = hidden;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            for (String prefix : hidden) {
                if (name.startsWith(prefix)) {
                    throw new ClassNotFoundException(name + " (hidden by the test)");
                }
            }
            if (name.startsWith("io.latencylib.pulsar.junit.internal.")) {
                synchronized (getClassLoadingLock(name)) {
                    Class<?> c = findLoadedClass(name);
                    if (c == null) {
                        c = findClass(name);
                    }
                    return c;
                }
            }
            return super.loadClass(name, resolve);
        }
    }
}
