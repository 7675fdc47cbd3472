package io.latencylib.pulsar;

import io.latencylib.junit.spi.LatencySystemProvider;
import io.latencylib.junit.spi.ProvisionedBroker;
import io.latencylib.pulsar.embedded.EmbeddedPulsar;
import io.latencylib.pulsar.junit.PulsarSession;
import io.latencylib.pulsar.junit.internal.PulsarSystemProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.pulsar.client.api.BatchReceivePolicy;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.Messages;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Pulsar for all tests of the run (closed by JUnit at the end), provisioned by
 * {@link PulsarSystemProvider} as latency-lib-junit does, plus the helpers the tests share. A service
 * URL given as system property {@code latency.pulsar.url} or environment variable
 * {@code LATENCY_PULSAR_URL} takes precedence over the embedded standalone (its admin REST API:
 * {@code latency.pulsar.http} / {@code LATENCY_PULSAR_HTTP}, default port 8080 of the same host).
 * Tests that need a broker configured otherwise ({@link #variant}) start a standalone of their own,
 * and are skipped with a given URL.
 */
public final class PulsarTestSupport implements BeforeAllCallback {

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static volatile String serviceUrl;
    private static volatile String adminUrl;
    private static volatile boolean userBroker;
    private static volatile ProvisionedBroker broker;
    private static volatile PulsarClient client;
    private static volatile ExtensionContext.Store rootStore;

    @Override
    public void beforeAll(ExtensionContext context) {
        rootStore = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
        rootStore.getOrComputeIfAbsent("pulsar", k -> {
            // the run's broker comes from the provider latency-lib-junit uses, by the same settings
            PulsarSystemProvider provider = new PulsarSystemProvider();
            String given = setting("latency.pulsar.url", "LATENCY_PULSAR_URL");
            if (given != null) {
                String http = setting("latency.pulsar.http", "LATENCY_PULSAR_HTTP");
                broker = provider.connect(given, key -> key.equals("http") ? Optional.ofNullable(http) : Optional.empty());
                userBroker = true;
            } else {
                long t0 = System.nanoTime();
                try {
                    broker = provider.startEmbedded(key -> Optional.empty());
                } catch (LatencySystemProvider.Unavailable e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
                System.out.printf("embedded Pulsar standalone started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            }
            try (TestSessionContext probe = new TestSessionContext(broker)) {
                PulsarSession session = probe.open();
                serviceUrl = session.serviceUrl();
                adminUrl = session.httpUrl();
            }
            client = newClient(serviceUrl);
            return (ExtensionContext.Store.CloseableResource) () -> {
                client.close();
                broker.close();
            };
        });
    }

    /** @return the run's broker, as {@link PulsarSystemProvider} provisioned it */
    static ProvisionedBroker broker() {
        return broker;
    }

    /** @return true when the run's broker was given by {@code latency.pulsar.url} */
    static boolean userBroker() {
        return userBroker;
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    static PulsarClient newClient(String url) {
        try {
            return PulsarClient.builder().serviceUrl(url).build();
        } catch (PulsarClientException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the service URL of the run's broker */
    public static String serviceUrl() {
        return serviceUrl;
    }

    /** @return the web service (admin REST API) URL of the run's broker */
    public static String adminUrl() {
        return adminUrl;
    }

    static PulsarClient client() {
        return client;
    }

    /**
     * A standalone with other broker settings (a child JVM of its own, as every EmbeddedPulsar), started
     * once per run and closed at its end. Skips the calling
     * test when a service URL was given.
     */
    static EmbeddedPulsar variant(String name, java.util.function.Consumer<EmbeddedPulsar.Builder> settings) {
        Assumptions.assumeFalse(userBroker, "a broker was given (latency.pulsar.url): this test needs one"
                + " configured for it");
        Holder holder = rootStore.getOrComputeIfAbsent("pulsar-variant-" + name, k -> {
            EmbeddedPulsar.Builder b = EmbeddedPulsar.builder();
            settings.accept(b);
            long t0 = System.nanoTime();
            EmbeddedPulsar p = b.start();
            System.out.printf("standalone '%s' started in %d ms%n", name, (System.nanoTime() - t0) / 1_000_000);
            return new Holder(p, newClient(p.serviceUrl()));
        }, Holder.class);
        return holder.pulsar;
    }

    static PulsarClient variantClient(String name) {
        return rootStore.get("pulsar-variant-" + name, Holder.class).client;
    }

    private record Holder(EmbeddedPulsar pulsar, PulsarClient client) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Throwable {
            client.close();
            pulsar.close();
        }
    }

    /** A fresh non-partitioned topic name (created on first use). */
    static String newTopic(String prefix) {
        return "persistent://public/default/" + prefix + "-" + RUN + "-" + TOPICS.incrementAndGet();
    }

    /** A fresh partitioned topic. */
    static String newPartitionedTopic(String prefix, int partitions) {
        String topic = newTopic(prefix);
        EmbeddedPulsar.createPartitionedTopic(adminUrl, topic, partitions);
        return topic;
    }

    static Consumer<byte[]> rawConsumer(PulsarClient client, String topic) throws PulsarClientException {
        return client.newConsumer(Schema.BYTES).topic(topic).subscriptionName("test")
                .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).subscribe();
    }

    /**
     * A consumer whose {@code batchReceive} returns, within about 1 ms, every message already there:
     * the poll-like way to receive (all messages of one delivery in one call).
     */
    static Consumer<byte[]> rawBatchConsumer(PulsarClient client, String topic) throws PulsarClientException {
        return client.newConsumer(Schema.BYTES).topic(topic).subscriptionName("test")
                .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
                .batchReceivePolicy(BatchReceivePolicy.builder().maxNumMessages(1_000).maxNumBytes(-1)
                        .timeout(1, TimeUnit.MILLISECONDS).build())
                .subscribe();
    }

    /**
     * Receives with {@code consumer} on a thread of its own until {@code count} messages arrived,
     * acknowledging each, handing each to {@code handler}; fails when they do not arrive before {@code deadline}.
     */
    static final class BackgroundConsumer implements AutoCloseable {
        private final ExecutorService executor = Executors.newSingleThreadExecutor();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final CompletableFuture<Void> receiving = new CompletableFuture<>();
        private final Future<List<Message<byte[]>>> result;

        BackgroundConsumer(Consumer<byte[]> consumer, int count, Duration deadline,
                           java.util.function.Consumer<Message<byte[]>> handler) {
            this(consumer, count, deadline, handler, false);
        }

        /** @param batches receive with {@code batchReceive} instead of {@code receive(timeout)} */
        BackgroundConsumer(Consumer<byte[]> consumer, int count, Duration deadline,
                           java.util.function.Consumer<Message<byte[]>> handler, boolean batches) {
            result = executor.submit(() -> {
                List<Message<byte[]>> got = new ArrayList<>();
                long end = System.nanoTime() + deadline.toNanos();
                try (consumer) {
                    while (got.size() < count && !stop.get()) {
                        if (System.nanoTime() > end) {
                            throw new AssertionError("received " + got.size() + " of " + count + " within " + deadline);
                        }
                        receiving.complete(null);
                        if (batches) {
                            Messages<byte[]> ms = consumer.batchReceive();
                            for (Message<byte[]> m : ms) {
                                got.add(m);
                                handler.accept(m);
                            }
                            if (ms.size() > 0) {
                                consumer.acknowledgeAsync(ms);
                            }
                        } else {
                            Message<byte[]> m = consumer.receive(100, TimeUnit.MILLISECONDS);
                            if (m != null) {
                                got.add(m);
                                handler.accept(m);
                                consumer.acknowledgeAsync(m);
                            }
                        }
                    }
                }
                return got;
            });
        }

        BackgroundConsumer awaitReceiving() throws Exception {
            receiving.get(30, TimeUnit.SECONDS);
            return this;
        }

        List<Message<byte[]>> await(Duration timeout) throws Exception {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            stop.set(true);
            executor.shutdownNow();
        }
    }

    /** Sends {@code count} messages of {@code size} bytes asynchronously at {@code perSecond}, parking until each is due. */
    static void sendPaced(Producer<byte[]> producer, int count, int perSecond, int size) throws PulsarClientException {
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        byte[] payload = new byte[size];
        for (int i = 0; i < count; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            producer.sendAsync(payload.clone());
            next += interval;
        }
        producer.flush();
    }

    /** Pauses the calling thread, as a consumer busy handling a message would be. */
    static void busyFor(Duration d) {
        LockSupport.parkNanos(d.toNanos());
    }
}
