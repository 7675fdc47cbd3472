package io.latencylib.pulsar;

import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.pulsar.embedded.EmbeddedPulsar;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fault test (issue 14): the broker restarts ({@link EmbeddedPulsar#stop()}, {@link EmbeddedPulsar#start()}
 * on the same port and data) while a wrapped producer sends at a steady 500 msg/s with {@code sendAsync}
 * and a wrapped consumer receives and acknowledges. The test counts the truth itself (every value sent,
 * acknowledged, failed, delivered) and compares the library's counts with it; an unwrapped producer and
 * consumer on a topic of their own go through the same restart, to compare what the client itself
 * throws. The library's counts are read once every half still unjoined would have been evicted and
 * counted lost: the recorder's clock is moved past the eviction time after the clients closed. A
 * standalone of its own (it is stopped), started before the test's time bound runs; skipped when a
 * broker was given ({@code latency.pulsar.url}): the test cannot restart it.
 */
@ExtendWith(PulsarTestSupport.class)
class BrokerRestartTest {

    private static final int RATE = 500;
    private static final int MAX_MESSAGES = RATE * 90;
    /** Steady sending before the stop, and after the broker is back. */
    private static final Duration STEADY = Duration.ofSeconds(4);
    /**
     * Longer than the outage: a message received longer than this (plus the 10 s clock-offset allowance)
     * after its send is implausible to the recorder, which then counts it lost although it came.
     */
    private static final Duration EVICT_AFTER = Duration.ofSeconds(40);

    private static EmbeddedPulsar pulsar;

    @BeforeAll
    static void ownBroker() {
        Assumptions.assumeFalse(PulsarTestSupport.userBroker(), "a broker was given (latency.pulsar.url): this test"
                + " restarts its broker");
        long t0 = System.nanoTime();
        pulsar = EmbeddedPulsar.builder().start();
        System.out.printf("standalone for the restart started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    static void closeBroker() {
        if (pulsar != null) {
            pulsar.close();
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aBrokerRestartMidRunLosesNothingAndTheLibraryCountsWhatTheTestCounts() throws Exception {
        // the recorder's clock is the system's until the end, when it is moved past the eviction time
        AtomicLong skewMicros = new AtomicLong();
        LatencyClock clock = () -> LatencyClock.system().nowMicros() + skewMicros.get();
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).evictAfter(EVICT_AFTER).build();
        String wrappedTopic = PulsarTestSupport.newTopic("restart-wrapped");
        String rawTopic = PulsarTestSupport.newTopic("restart-raw");
        // reconnect within a second of the broker's return (Pulsar's default backoff grows to 60 s);
        // sends wait for the broker longer than the outage lasts
        try (PulsarClient producerClient = client(); PulsarClient consumerClient = client()) {
            Pair wrapped = new Pair("wrapped", producerClient, consumerClient, wrappedTopic,
                    p -> PulsarLatency.wrap(p, recorder), c -> PulsarLatency.wrap(c, recorder));
            Pair raw = new Pair("raw", producerClient, consumerClient, rawTopic, p -> p, c -> c);
            try (wrapped; raw) {
                wrapped.start();
                raw.start();
                await("steady traffic acknowledged", Duration.ofSeconds(20),
                        () -> wrapped.acked.get() >= RATE * STEADY.toSeconds() && raw.acked.get() >= RATE * STEADY.toSeconds());

                long t0 = System.nanoTime();
                pulsar.stop();
                long stopped = System.nanoTime();
                int sentWhileDown = wrapped.sent.get();
                pulsar.start();
                long back = System.nanoTime();
                System.out.printf("broker stopped in %d ms, started again in %d ms%n", (stopped - t0) / 1_000_000,
                        (back - stopped) / 1_000_000);

                int wrappedAtRestart = wrapped.acked.get();
                int rawAtRestart = raw.acked.get();
                await("the producers send and are acknowledged again", Duration.ofSeconds(30),
                        () -> wrapped.acked.get() > wrappedAtRestart + RATE * STEADY.toSeconds()
                                && raw.acked.get() > rawAtRestart + RATE * STEADY.toSeconds());
                wrapped.stopSending();
                raw.stopSending();
                await("every send completed", Duration.ofSeconds(30),
                        () -> wrapped.completed() == wrapped.sent.get() && raw.completed() == raw.sent.get());
                await("every acknowledged message received", Duration.ofSeconds(30),
                        () -> wrapped.allAckedReceived() && raw.allAckedReceived());
                wrapped.stopReceiving();
                raw.stopReceiving();
                System.out.printf("sent while the broker was away or starting: %d%n", wrapped.sent.get() - sentWhileDown);
            }
            for (Pair p : List.of(wrapped, raw)) {
                System.out.println(p.summary());
            }

            // the client's own behaviour: nothing but PulsarClientExceptions, from either
            for (Pair p : List.of(wrapped, raw)) {
                assertThat(p.errors).as("%s: exceptions", p.name).allSatisfy(e -> assertThat(e)
                        .isInstanceOf(PulsarClientException.class));
            }
            assertThat(raw.missingAcked().toString()).as("raw: acknowledged but never received").isEqualTo("{}");
            assertThat(wrapped.missingAcked().toString()).as("wrapped: acknowledged but never received").isEqualTo("{}");
            assertThat(wrapped.sent.get()).isGreaterThan(4 * RATE);

            // the library's counts once every half still unjoined would have been evicted (its clients are closed)
            skewMicros.set(EVICT_AFTER.plusSeconds(1).toNanos() / 1000);
            LatencyReport report = recorder.report();
            System.out.println(report.toTable());
            LatencyReport.Counts c = report.counts();
            assertThat(c.sent()).as("sent").isEqualTo(wrapped.sent.get());
            assertThat(c.acked()).as("acked").isEqualTo(wrapped.acked.get());
            assertThat(c.sendErrors()).as("send errors").isEqualTo(wrapped.failed.get());
            assertThat(c.received()).as("received").isEqualTo(wrapped.deliveries.get());
            assertThat(c.duplicated()).as("duplicated").isEqualTo(wrapped.deliveries.get() - wrapped.distinct());
            assertThat(c.joined()).as("joined").isEqualTo(wrapped.acked.get());
            assertThat(c.unstamped()).as("unstamped").isZero();
            assertThat(c.implausible()).as("implausible").isZero();
            assertThat(c.lost()).as("lost").isZero();
            assertThat(c.inFlight()).as("in flight").isZero();
        }
    }

    private static PulsarClient client() throws PulsarClientException {
        return PulsarClient.builder().serviceUrl(pulsar.serviceUrl())
                .startingBackoffInterval(100, TimeUnit.MILLISECONDS).maxBackoffInterval(1, TimeUnit.SECONDS)
                .operationTimeout(60, TimeUnit.SECONDS).build();
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    /**
     * A producer sending value {@code i} (an int) at {@value RATE} msg/s with {@code sendAsync} on a thread
     * of its own, and a consumer receiving and acknowledging on another; both count what they see.
     */
    private static final class Pair implements AutoCloseable {
        final String name;
        final Producer<byte[]> producer;
        final Consumer<byte[]> consumer;
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger acked = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger deliveries = new AtomicInteger();
        final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        private final BitSet ackedValues = new BitSet();
        private final BitSet receivedValues = new BitSet();
        private final AtomicBoolean sending = new AtomicBoolean(true);
        private final AtomicBoolean receiving = new AtomicBoolean(true);
        private final Thread sender;
        private final Thread receiver;

        Pair(String name, PulsarClient producerClient, PulsarClient consumerClient, String topic,
             UnaryOperator<Producer<byte[]>> wrapProducer, UnaryOperator<Consumer<byte[]>> wrapConsumer)
                throws PulsarClientException {
            this.name = name;
            this.consumer = wrapConsumer.apply(consumerClient.newConsumer(Schema.BYTES).topic(topic)
                    .subscriptionName("s").subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
                    .subscribe());
            this.producer = wrapProducer.apply(producerClient.newProducer(Schema.BYTES).topic(topic)
                    .sendTimeout(60, TimeUnit.SECONDS).create());
            this.sender = new Thread(this::send, "restart-" + name + "-sender");
            this.receiver = new Thread(this::receive, "restart-" + name + "-receiver");
        }

        void start() {
            receiver.start();
            sender.start();
        }

        private void send() {
            long interval = 1_000_000_000L / RATE;
            long next = System.nanoTime();
            byte[] padding = new byte[196];
            for (int i = 0; i < MAX_MESSAGES && sending.get(); i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                next += interval;
                int value = i;
                byte[] payload = ByteBuffer.allocate(4 + padding.length).putInt(value).put(padding).array();
                CompletableFuture<MessageId> future;
                try {
                    future = producer.sendAsync(payload);
                } catch (RuntimeException e) { // sendAsync reports failures through its future; count one here too
                    errors.add(e);
                    continue;
                }
                sent.incrementAndGet();
                future.whenComplete((id, error) -> {
                    if (error != null) {
                        errors.add(error);
                        failed.incrementAndGet();
                    } else {
                        synchronized (ackedValues) {
                            ackedValues.set(value);
                        }
                        acked.incrementAndGet();
                    }
                });
            }
        }

        private void receive() {
            while (receiving.get()) {
                try {
                    Message<byte[]> m = consumer.receive(100, TimeUnit.MILLISECONDS);
                    if (m != null) {
                        int value = ByteBuffer.wrap(m.getValue()).getInt();
                        synchronized (receivedValues) {
                            receivedValues.set(value);
                        }
                        deliveries.incrementAndGet();
                        consumer.acknowledgeAsync(m).exceptionally(e -> {
                            errors.add(e);
                            return null;
                        });
                    }
                } catch (PulsarClientException e) {
                    errors.add(e);
                } catch (RuntimeException e) {
                    errors.add(e);
                    return;
                }
            }
        }

        int completed() {
            return acked.get() + failed.get();
        }

        int distinct() {
            synchronized (receivedValues) {
                return receivedValues.cardinality();
            }
        }

        BitSet missingAcked() {
            BitSet missing;
            synchronized (ackedValues) {
                missing = (BitSet) ackedValues.clone();
            }
            synchronized (receivedValues) {
                missing.andNot(receivedValues);
            }
            return missing;
        }

        boolean allAckedReceived() {
            return missingAcked().isEmpty();
        }

        void stopSending() throws InterruptedException {
            sending.set(false);
            sender.join(10_000);
            producer.flushAsync();
        }

        void stopReceiving() throws InterruptedException {
            receiving.set(false);
            receiver.join(10_000);
        }

        String summary() {
            Map<String, Integer> byType = new TreeMap<>();
            for (Throwable e : errors) {
                byType.merge(e.getClass().getName(), 1, Integer::sum);
            }
            return String.format("%s: sent %d, acknowledged %d, failed %d, delivered %d (%d distinct); exceptions %s",
                    name, sent.get(), acked.get(), failed.get(), deliveries.get(), distinct(), byType);
        }

        @Override
        public void close() throws Exception {
            sending.set(false);
            receiving.set(false);
            sender.join(10_000);
            receiver.join(10_000);
            List<Exception> closing = new ArrayList<>();
            for (AutoCloseable c : List.of(producer, consumer)) {
                try {
                    c.close();
                } catch (Exception e) {
                    closing.add(e);
                }
            }
            if (!closing.isEmpty()) {
                throw closing.get(0);
            }
        }
    }
}
