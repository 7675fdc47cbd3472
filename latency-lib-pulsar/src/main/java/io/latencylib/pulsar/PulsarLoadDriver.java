package io.latencylib.pulsar;

import io.latencylib.LatencyRecorder;
import io.latencylib.load.LoadDriver;
import io.latencylib.pulsar.internal.PulsarAdminHttp;
import io.latencylib.spi.PacedSend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pulsar.client.api.ConsumerBuilder;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.ProducerBuilder;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.client.api.TypedMessageBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a {@link io.latencylib.load.LoadRun} through Pulsar: makes its own producers and consumers
 * (wrapped with the run's recorder) on a client of its own or the one you give; creates the topic
 * as a partitioned topic through the admin REST API when asked for partitions.
 *
 * <pre>{@code
 * LoadReport report = LoadRun.builder(PulsarLoadDriver.builder("pulsar://localhost:6650")
 *                 .adminUrl("http://localhost:8080").partitions(3)
 *                 .subscriptionType(SubscriptionType.Shared).batching(true).build())
 *         .destination("load").consumers(2)
 *         .schedule(Schedule.constant(5_000, Duration.ofSeconds(20))).run();
 * }</pre>
 *
 * <p>Producers send asynchronously with {@code blockIfQueueFull=true} (a full queue shows as
 * lateness of the paced sends, not as failures); consumers receive on threads of the driver's own
 * and acknowledge every message. With {@link SubscriptionType#Exclusive} each consumer has a
 * subscription of its own (every consumer receives every message); the other types share one.
 */
public final class PulsarLoadDriver implements LoadDriver {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.load");

    private final Builder settings;
    private PulsarClient client;
    private boolean ownClient;
    private final List<Producer<byte[]>> producers = new ArrayList<>();
    private final List<org.apache.pulsar.client.api.Consumer<byte[]>> consumers = new ArrayList<>();
    private final List<Thread> receivers = new ArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean sendFailureLogged = new AtomicBoolean();
    /** What a failed send does (the failure is counted by the wrapper): one object for every send, not a lambda a message. */
    private final Function<Throwable, MessageId> onSendFailure = e -> {
        if (sendFailureLogged.compareAndSet(false, true)) {
            log.warn("a send of the Pulsar load run failed (counted as a send error; the run goes on)", e);
        }
        return null;
    };
    private String topic;

    private PulsarLoadDriver(Builder settings) {
        this.settings = settings;
    }

    /** @return a driver with the defaults (non-partitioned topic, batching on, Exclusive subscription) */
    public static PulsarLoadDriver create(String serviceUrl) {
        return builder(serviceUrl).build();
    }

    /** @return settings of a driver with a client of its own on {@code serviceUrl} (closed by the driver) */
    public static Builder builder(String serviceUrl) {
        return new Builder(Objects.requireNonNull(serviceUrl, "serviceUrl"), null);
    }

    /** A driver on the application's own client (not closed by the driver). */
    public static Builder builder(PulsarClient client) {
        return new Builder(null, Objects.requireNonNull(client, "client"));
    }

    @Override
    public String system() {
        return PulsarLatency.SYSTEM;
    }

    /** @return the full name of the topic of the current run, e.g. {@code persistent://public/default/load} */
    public String topic() {
        return topic;
    }

    @Override
    public void open(String destination, int producerCount, int consumerCount, LatencyRecorder recorder) {
        Objects.requireNonNull(destination, "destination");
        topic = destination.contains("://") ? destination : "persistent://" + settings.namespace + "/" + destination;
        closing.set(false);
        if (settings.subscriptionType == SubscriptionType.Exclusive && consumerCount > 1) {
            recorder.note("Pulsar load with " + consumerCount + " consumers on Exclusive subscriptions: each consumer"
                    + " has a subscription of its own and receives every message (duplicates are counted)");
        }
        try {
            if (settings.partitions > 0) {
                createPartitionedTopic(recorder);
            }
            if (settings.client != null) {
                client = settings.client;
                ownClient = false;
            } else {
                client = PulsarClient.builder().serviceUrl(settings.serviceUrl).build();
                ownClient = true;
            }
            String subscription = "latency-load-" + UUID.randomUUID();
            for (int i = 0; i < consumerCount; i++) {
                ConsumerBuilder<byte[]> b = client.newConsumer(Schema.BYTES).topic(topic)
                        .subscriptionName(settings.subscriptionType == SubscriptionType.Exclusive
                                ? subscription + "-" + i : subscription)
                        .subscriptionType(settings.subscriptionType)
                        .subscriptionInitialPosition(SubscriptionInitialPosition.Latest);
                settings.consumerCustomizer.accept(b);
                consumers.add(PulsarLatency.wrap(b.subscribe(), recorder));
            }
            for (int i = 0; i < producerCount; i++) {
                ProducerBuilder<byte[]> b = client.newProducer(Schema.BYTES).topic(topic)
                        .enableBatching(settings.batching)
                        .batchingMaxPublishDelay(settings.batchingDelay.toNanos() / 1000, TimeUnit.MICROSECONDS)
                        .blockIfQueueFull(true);
                settings.producerCustomizer.accept(b);
                producers.add(PulsarLatency.wrap(b.create(), recorder));
            }
        } catch (PulsarClientException e) {
            close();
            throw new IllegalStateException("could not open Pulsar clients on '" + topic + "': " + e, e);
        }
        for (int i = 0; i < consumers.size(); i++) {
            org.apache.pulsar.client.api.Consumer<byte[]> consumer = consumers.get(i);
            Thread t = new Thread(() -> receive(consumer), "latency-load-consumer-" + i);
            t.setDaemon(true);
            receivers.add(t);
            t.start();
        }
    }

    private void createPartitionedTopic(LatencyRecorder recorder) {
        String adminUrl = settings.adminUrl != null ? settings.adminUrl
                : PulsarAdminHttp.defaultHttpUrl(settings.serviceUrl);
        if (adminUrl == null) {
            throw new IllegalStateException("partitions(" + settings.partitions + ") needs the admin URL:"
                    + " PulsarLoadDriver.builder(...).adminUrl(\"http://host:8080\")");
        }
        if (PulsarAdminHttp.createTopic(adminUrl, topic, settings.partitions, true) == 409) {
            recorder.note("load topic '" + topic + "' exists already; its own partitioning is used");
        }
    }

    private void receive(org.apache.pulsar.client.api.Consumer<byte[]> consumer) {
        try {
            while (!closing.get()) {
                Message<byte[]> m = consumer.receive(100, TimeUnit.MILLISECONDS);
                if (m != null) {
                    consumer.acknowledgeAsync(m);
                }
            }
        } catch (PulsarClientException e) {
            if (!closing.get()) {
                log.warn("a consumer of the Pulsar load run stopped", e);
            }
        }
    }

    @Override
    public Sender sender(int index) {
        Producer<byte[]> producer = producers.get(index);
        return (key, payload, intendedMicros) -> {
            PacedSend.intend(intendedMicros);
            // No copy of the payload, though the client reads it after sendAsync returns: the run's payloads are
            // made once before it starts and never written (LoadRun's payload pool; a payload of the application
            // is copied when it is given), only handed out again, as to the Kafka driver.
            TypedMessageBuilder<byte[]> message = producer.newMessage().value(payload);
            if (key != null) {
                message.keyBytes(key);
            }
            message.sendAsync().exceptionally(onSendFailure);
        };
    }

    @Override
    public void flush() {
        for (Producer<byte[]> p : producers) {
            try {
                p.flush();
            } catch (PulsarClientException e) {
                log.warn("flushing a producer of the Pulsar load run failed", e);
            }
        }
    }

    @Override
    public void close() {
        closing.set(true);
        for (Thread t : receivers) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Producer<byte[]> p : producers) {
            p.closeAsync();
        }
        for (org.apache.pulsar.client.api.Consumer<byte[]> c : consumers) {
            c.closeAsync();
        }
        if (ownClient && client != null) {
            try {
                client.close();
            } catch (PulsarClientException e) {
                log.warn("closing the Pulsar client of the load run failed", e);
            }
        }
        producers.clear();
        consumers.clear();
        receivers.clear();
        client = null;
    }

    /** Settings of a {@link PulsarLoadDriver}. */
    public static final class Builder {
        private final String serviceUrl;
        private final PulsarClient client;
        private String adminUrl;
        private String namespace = "public/default";
        private int partitions;
        private boolean batching = true;
        private Duration batchingDelay = Duration.ofMillis(1);
        private SubscriptionType subscriptionType = SubscriptionType.Exclusive;
        private Consumer<ProducerBuilder<byte[]>> producerCustomizer = b -> { };
        private Consumer<ConsumerBuilder<byte[]>> consumerCustomizer = b -> { };

        private Builder(String serviceUrl, PulsarClient client) {
            this.serviceUrl = serviceUrl;
            this.client = client;
        }

        /** The admin REST API, for creating partitioned topics (default: the service URL's host, port 8080). */
        public Builder adminUrl(String adminUrl) {
            this.adminUrl = Objects.requireNonNull(adminUrl, "adminUrl");
            return this;
        }

        /**
         * The {@code tenant/namespace} of the run's topic when its destination is a short name
         * (default {@code public/default}); a destination with {@code ://} is used as it is.
         */
        public Builder namespace(String namespace) {
            Objects.requireNonNull(namespace, "namespace");
            if (!namespace.matches("[^/\\s]+/[^/\\s]+")) {
                throw new IllegalArgumentException("namespace must be tenant/namespace, e.g. public/default: '"
                        + namespace + "'");
            }
            this.namespace = namespace;
            return this;
        }

        /** Partitions of the topic, created through the admin API; 0 (default) for a non-partitioned topic. */
        public Builder partitions(int partitions) {
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions must not be negative: " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /** Producer batching (default on, as in Pulsar). */
        public Builder batching(boolean batching) {
            this.batching = batching;
            return this;
        }

        /** {@code batchingMaxPublishDelay} (default 1 ms, Pulsar's). */
        public Builder batchingMaxPublishDelay(Duration delay) {
            this.batchingDelay = Objects.requireNonNull(delay, "delay");
            return this;
        }

        /** Exclusive (default), Shared, Key_Shared or Failover. */
        public Builder subscriptionType(SubscriptionType type) {
            this.subscriptionType = Objects.requireNonNull(type, "type");
            return this;
        }

        /** Anything else of the producers (after the driver's settings). */
        public Builder producer(Consumer<ProducerBuilder<byte[]>> customizer) {
            this.producerCustomizer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /** Anything else of the consumers (after the driver's settings). */
        public Builder consumer(Consumer<ConsumerBuilder<byte[]>> customizer) {
            this.consumerCustomizer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /** @return the driver; it connects when the run opens it */
        public PulsarLoadDriver build() {
            return new PulsarLoadDriver(this);
        }
    }
}
