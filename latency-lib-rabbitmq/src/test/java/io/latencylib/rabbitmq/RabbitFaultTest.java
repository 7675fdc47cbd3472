package io.latencylib.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.Return;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.rabbitmq.embedded.LocalRabbitMqNode;
import io.latencylib.rabbitmq.junit.internal.RabbitTestSupport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults on a real RabbitMQ: a node killed and restarted under automatic recovery, and mandatory
 * messages the broker returns. Each test counts the truth itself (every value sent, confirmed,
 * returned, received) and compares the library's counts with it.
 */
@ExtendWith(RabbitTestSupport.class)
class RabbitFaultTest {

    private static final AtomicInteger names = new AtomicInteger();

    // ------------------------------------------------------------------ returned messages

    @Test
    void mandatoryMessagesTheBrokerCannotRouteAreCountedReturnedNeverLost() throws Exception {
        Duration evictAfter = Duration.ofSeconds(1);
        LatencyRecorder recorder = LatencyRecorder.builder().evictAfter(evictAfter).build();
        LatencyRecorder control = LatencyRecorder.builder().evictAfter(evictAfter).build();
        List<Return> appReturns = new ArrayList<>();   // the application's listener on the wrapped channel
        List<Return> rawReturns = new ArrayList<>();   // the same listener on an unwrapped channel
        AtomicInteger oldStyleReturns = new AtomicInteger();
        AtomicLong confirmed = new AtomicLong();
        long lastSend;
        try (Connection connection = RabbitTestSupport.factory().newConnection()) {
            String exchange = "unroutable-" + names.incrementAndGet();
            try (Channel admin = connection.createChannel()) {
                admin.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, false, true, null); // no queue bound
            }
            Channel wrapped = RabbitLatency.wrap(connection.createChannel(), recorder);
            Channel raw = connection.createChannel();
            wrapped.confirmSelect();
            raw.confirmSelect();
            wrapped.clearReturnListeners();   // removes the application's listeners, not the wrapper's
            wrapped.clearConfirmListeners();
            wrapped.addReturnListener(appReturns::add);                                  // ReturnCallback
            wrapped.addReturnListener((code, text, ex, key, props, body) -> oldStyleReturns.incrementAndGet());
            raw.addReturnListener(rawReturns::add);
            wrapped.addConfirmListener(countAcks(confirmed));
            for (int i = 0; i < 100; i++) {
                wrapped.basicPublish(exchange, "nowhere", true, MessageProperties.PERSISTENT_BASIC, value(i));
                raw.basicPublish(exchange, "nowhere", true, MessageProperties.PERSISTENT_BASIC, value(i));
            }
            wrapped.waitForConfirmsOrDie(10_000); // the broker returns each one first, then confirms it
            raw.waitForConfirmsOrDie(10_000);

            // control: the same exchange without mandatory: the broker drops them silently (a true loss)
            Channel dropping = RabbitLatency.wrap(connection.createChannel(), control);
            dropping.confirmSelect();
            for (int i = 0; i < 5; i++) {
                dropping.basicPublish(exchange, "nowhere", false, null, value(i));
            }
            dropping.waitForConfirmsOrDie(10_000);
            lastSend = System.nanoTime();
        }
        awaitEviction(lastSend, evictAfter);

        assertThat(appReturns).as("the application's ReturnCallback").hasSize(100);
        assertThat(oldStyleReturns).as("the application's ReturnListener").hasValue(100);
        assertThat(rawReturns).hasSize(100);
        for (int i = 0; i < 100; i++) {
            Return w = appReturns.get(i);
            Return r = rawReturns.get(i);
            assertThat(w.getReplyCode()).isEqualTo(r.getReplyCode()).isEqualTo(312);
            assertThat(w.getReplyText()).isEqualTo(r.getReplyText());
            assertThat(w.getExchange()).isEqualTo(r.getExchange());
            assertThat(w.getRoutingKey()).isEqualTo(r.getRoutingKey());
            assertThat(w.getBody()).isEqualTo(r.getBody()).isEqualTo(value(i));
            assertThat(w.getProperties().getDeliveryMode()).isEqualTo(r.getProperties().getDeliveryMode());
        }
        LatencyReport report = recorder.report();
        LatencyReport.Counts c = report.counts();
        System.out.println("100 mandatory, unroutable: " + c);
        assertThat(c.sent()).isEqualTo(100);
        assertThat(c.returned()).isEqualTo(appReturns.size());
        assertThat(c.acked()).as("confirmed after the return").isEqualTo(confirmed.get()).isEqualTo(100);
        assertThat(c.lost()).isZero();
        assertThat(c.received()).isZero();
        assertThat(report.toTable()).contains("returned");

        LatencyReport.Counts d = control.report().counts();
        System.out.println("5 not mandatory, unroutable (dropped by the broker): " + d);
        assertThat(d.returned()).isZero();
        assertThat(d.lost()).as("the same messages without mandatory are lost: eviction did count").isEqualTo(5);
    }

    // ------------------------------------------------------------------ node killed and restarted

    @Test
    void afterTheNodeIsKilledAndRestartedRecoveredChannelsConfirmAndNothingIsFalselyLost() throws Exception {
        Duration evictAfter = Duration.ofSeconds(2);
        LatencyRecorder recorder = LatencyRecorder.builder().evictAfter(evictAfter).build();
        Truth truth = new Truth();
        List<String> outage = new ArrayList<>();
        try (LocalRabbitMqNode node = LocalRabbitMqNode.builder().start()) {
            ConnectionFactory factory = node.connectionFactory();
            factory.setAutomaticRecoveryEnabled(true); // amqp-client's default, said here
            factory.setTopologyRecoveryEnabled(true);
            factory.setNetworkRecoveryInterval(200);
            try (Connection publishing = factory.newConnection("publisher");
                 Connection consuming = factory.newConnection("consumer")) {
                String queue = "restart-" + names.incrementAndGet();
                Channel consumer = RabbitLatency.wrap(consuming.createChannel(), recorder);
                consumer.queueDeclare(queue, true, false, false, null);
                consumer.basicQos(100);
                consumer.basicConsume(queue, false, (tag, d) -> {
                    truth.received(ByteBuffer.wrap(d.getBody()).getInt(), d.getEnvelope().isRedeliver());
                    // a delivery handled after the connection died cannot be acknowledged; it comes again
                    catchAny(() -> consumer.basicAck(d.getEnvelope().getDeliveryTag(), false));
                }, tag -> { });

                Channel under = publishing.createChannel();
                Channel wrapped = RabbitLatency.wrap(under, recorder);
                Channel raw = publishing.createChannel(); // the same connection: the same outage
                wrapped.confirmSelect();
                raw.confirmSelect();
                wrapped.addConfirmListener(truth);
                ((Recoverable) wrapped).addRecoveryListener(truth);
                // called right after the wrapper's own shutdown listener: what had arrived when the
                // unconfirmed messages became in doubt
                wrapped.addShutdownListener(cause -> truth.receivedAtLoss.compareAndSet(null,
                        Set.copyOf(truth.receivedIds.keySet())));
                AtomicInteger recoveredChannels = new AtomicInteger();
                for (Channel ch : List.of(raw, consumer)) {
                    ((Recoverable) ch).addRecoveryListener(new RecoveryListener() {
                        @Override
                        public void handleRecovery(Recoverable recoverable) {
                            recoveredChannels.incrementAndGet();
                        }

                        @Override
                        public void handleRecoveryStarted(Recoverable recoverable) {
                        }
                    });
                }

                // 1. 1,000 messages at 500 a second; the node is killed (SIGKILL) after 600 of them
                int id = 0;
                long next = System.nanoTime();
                boolean failing = false;
                while (!failing) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    next += 2_000_000;
                    if (id == 600) {
                        ProcessHandle.of(node.pid()).orElseThrow().destroyForcibly();
                    }
                    failing = publish(wrapped, queue, id++, truth) != null;
                    catchAny(() -> raw.basicPublish("", "raw-sink", null, new byte[8]));
                    assertThat(id).as("the wrapped channel never failed after the kill").isLessThan(20_000);
                }
                int firstFailed = id - 1;

                // 2. the outage (once the client has seen the connection go; until then a publish may fail
                //    writing to the dead socket): the wrapped channel throws exactly what the unwrapped one throws
                await(() -> !wrapped.isOpen() && !raw.isOpen(), Duration.ofSeconds(10), "the connection seen lost");
                for (int k = 0; k < 3; k++) {
                    Throwable w = publish(wrapped, queue, id++, truth);
                    Throwable u = catchAny(() -> under.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC,
                            value(-1)));
                    Throwable r = catchAny(() -> raw.basicPublish("", "raw-sink", null, new byte[8]));
                    assertThat(w).isNotNull();
                    assertSame(w, u);
                    assertLike(w, r);
                    outage.add(w.toString());
                }
                Throwable w = catchAny(() -> wrapped.waitForConfirmsOrDie(1_000));
                assertSame(w, catchAny(() -> under.waitForConfirmsOrDie(1_000)));
                assertLike(w, catchAny(() -> raw.waitForConfirmsOrDie(1_000)));
                outage.add(String.valueOf(w));

                // 3. the node comes back on the same port and data; both connections recover by themselves
                node.stop(); // what the kill left: the start script, epmd
                node.start();
                await(() -> truth.recoveries.get() >= 1 && recoveredChannels.get() >= 2 && wrapped.isOpen()
                        && consumer.isOpen(), Duration.ofSeconds(60), "channels recovered");
                int inDoubtAtRecovery = truth.inDoubt.size();

                // 4. 3,000 more messages on the recovered channel (sequence numbers start at 1 again)
                long confirmedBefore = truth.confirmed.size();
                next = System.nanoTime();
                for (int i = 0; i < 3_000; i++) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    next += 1_000_000;
                    assertThat(publish(wrapped, queue, id++, truth)).isNull();
                }
                wrapped.waitForConfirmsOrDie(30_000);
                long confirmedAfter = truth.confirmed.size() - confirmedBefore;
                await(() -> truth.receivedIds.keySet().containsAll(truth.confirmed), Duration.ofSeconds(30),
                        "every confirmed message received");
                System.out.printf("killed after 600; first failed publish: %d; in doubt at the loss: %d; confirmed"
                                + " before: %d, after recovery: %d of 3000; failed: %d; outage: %s%n", firstFailed,
                        inDoubtAtRecovery, confirmedBefore, confirmedAfter, truth.failed.size(), outage);
                assertThat(confirmedAfter).as("confirms after recovery").isEqualTo(3_000);
            }
        }
        awaitEviction(System.nanoTime(), evictAfter);
        LatencyReport report = recorder.report();
        System.out.println(report.toTable());
        LatencyReport.Counts c = report.counts();
        Set<Integer> published = truth.published.keySet();
        long neverReceived = published.stream().filter(i -> !truth.receivedIds.containsKey(i)).count();
        long confirmedLost = truth.confirmed.stream().filter(i -> !truth.receivedIds.containsKey(i)).count();
        long inDoubtNotYetReceived = truth.inDoubt.stream().filter(i -> !truth.receivedAtLoss.get().contains(i)).count();
        System.out.printf("truth: published %d, failed %d, confirmed %d, nacked %d, in doubt %d (%d not received at the"
                        + " loss), deliveries %d of %d values (redelivered %d), never received %d (confirmed ones %d)%n",
                published.size(), truth.failed.size(), truth.confirmed.size(), truth.nacked.size(),
                truth.inDoubt.size(), inDoubtNotYetReceived, truth.deliveries.get(), truth.receivedIds.size(),
                truth.redeliveries.get(), neverReceived, confirmedLost);
        System.out.println("library: " + c);
        assertThat(confirmedLost).as("durable queue, persistent messages: every confirmed one came back").isZero();
        assertThat(c.sent()).isEqualTo(published.size() + truth.failed.size());
        assertThat(c.acked()).as("every confirm recorded, before and after recovery").isEqualTo(truth.confirmed.size());
        assertThat(c.sendErrors()).as("failed publishes, nacks, and unconfirmed at the loss but not received then")
                .isEqualTo(truth.failed.size() + truth.nacked.size() + inDoubtNotYetReceived);
        assertThat(c.lost()).as("lost: confirmed and never received; messages in doubt are never lost")
                .isEqualTo(confirmedLost).isZero();
        assertThat(c.received()).isEqualTo(truth.deliveries.get());
        assertThat(c.redelivered()).isEqualTo(truth.redeliveries.get());
        assertThat(c.duplicated()).isEqualTo(truth.deliveries.get() - truth.receivedIds.size());
        assertThat(c.joined()).isEqualTo(truth.receivedIds.size());
        assertThat(c.unjoined()).isZero();
        long clamps = 0;
        for (Stage s : Stage.values()) {
            clamps += report.clamps(s);
            report.largestClamp(s).ifPresent(d -> assertThat(d).as("largest clamp of " + s)
                    .isLessThan(Duration.ofMillis(50)));
        }
        // the stale dispatch instants of a reused slot showed as hundreds of clamps of up to 23.6 s; a clamp of a
        // receive that came before basicPublish returned is normal (below a millisecond, a few in a hundred)
        assertThat(clamps).as("clamps").isLessThanOrEqualTo(Math.max(10, c.joined() * 3 / 100));
    }

    /** The channel under the wrapper: the very same exception class and message. */
    private static void assertSame(Throwable wrapped, Throwable raw) {
        if (raw == null) {
            assertThat(wrapped).isNull();
            return;
        }
        assertThat(wrapped).isNotNull().isExactlyInstanceOf(raw.getClass());
        assertThat(wrapped.getMessage()).isEqualTo(raw.getMessage());
    }

    /**
     * Another channel of the same connection: the same exception class and message, up to the cause,
     * which the client may take from either of two concurrent failures (the writer's, the reader's).
     */
    private static void assertLike(Throwable wrapped, Throwable raw) {
        if (raw == null) {
            assertThat(wrapped).isNull();
            return;
        }
        assertThat(wrapped).isNotNull().isExactlyInstanceOf(raw.getClass());
        assertThat(upToCause(wrapped.getMessage())).isEqualTo(upToCause(raw.getMessage()));
    }

    private static String upToCause(String message) {
        int cause = message == null ? -1 : message.indexOf("; cause:");
        return cause < 0 ? message : message.substring(0, cause);
    }

    /** @return what the publish threw, or null; counts it in {@code truth} */
    private static Throwable publish(Channel ch, String queue, int id, Truth truth) {
        long seq = ch.getNextPublishSeqNo();
        truth.outstanding.put(seq, id);
        Throwable t = catchAny(() -> ch.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC, value(id)));
        if (t == null) {
            truth.published.put(id, Boolean.TRUE);
        } else {
            truth.outstanding.remove(seq, id);
            truth.failed.add(id);
        }
        return t;
    }

    /**
     * The application's own bookkeeping of confirms, as RabbitMQ's documentation has it: sequence
     * number before each publish, acks settle up to their tag; a recovery starts the numbers again, so
     * what was unconfirmed then is in doubt.
     */
    private static final class Truth implements ConfirmListener, RecoveryListener {
        final NavigableMap<Long, Integer> outstanding = new ConcurrentSkipListMap<>();
        final Map<Integer, Boolean> published = new ConcurrentHashMap<>();
        final Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
        final Set<Integer> nacked = ConcurrentHashMap.newKeySet();
        final Set<Integer> failed = ConcurrentHashMap.newKeySet();
        final Set<Integer> inDoubt = ConcurrentHashMap.newKeySet();
        final Map<Integer, Boolean> receivedIds = new ConcurrentHashMap<>();
        final AtomicLong deliveries = new AtomicLong();
        final AtomicLong redeliveries = new AtomicLong();
        final AtomicInteger recoveries = new AtomicInteger();
        final AtomicReference<Set<Integer>> receivedAtLoss = new AtomicReference<>();

        @Override
        public void handleAck(long tag, boolean multiple) {
            settle(tag, multiple, confirmed);
        }

        @Override
        public void handleNack(long tag, boolean multiple) {
            settle(tag, multiple, nacked);
        }

        private void settle(long tag, boolean multiple, Set<Integer> into) {
            NavigableMap<Long, Integer> settled = multiple ? outstanding.headMap(tag, true)
                    : outstanding.subMap(tag, true, tag, true);
            into.addAll(settled.values());
            settled.clear();
        }

        @Override
        public void handleRecoveryStarted(Recoverable recoverable) {
            inDoubt.addAll(outstanding.values());
            outstanding.clear();
        }

        @Override
        public void handleRecovery(Recoverable recoverable) {
            recoveries.incrementAndGet();
        }

        void received(int id, boolean redelivered) {
            deliveries.incrementAndGet();
            if (redelivered) {
                redeliveries.incrementAndGet();
            }
            receivedIds.put(id, Boolean.TRUE);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static ConfirmListener countAcks(AtomicLong confirmed) {
        ConcurrentSkipListMap<Long, Boolean> seen = new ConcurrentSkipListMap<>();
        AtomicLong highest = new AtomicLong();
        return new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
                long from = multiple ? highest.get() + 1 : tag;
                for (long t = from; t <= tag; t++) {
                    if (seen.putIfAbsent(t, Boolean.TRUE) == null) {
                        confirmed.incrementAndGet();
                    }
                }
                highest.accumulateAndGet(tag, Math::max);
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
            }
        };
    }

    static byte[] value(int id) {
        return ByteBuffer.allocate(64).putInt(id).array();
    }

    interface Call {
        void run() throws Exception;
    }

    static Throwable catchAny(Call call) {
        try {
            call.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** Waits until the recorder's eviction window after {@code lastSendNanos} has passed: what was not received by then is counted. */
    private static void awaitEviction(long lastSendNanos, Duration evictAfter) {
        long until = lastSendNanos + evictAfter.toNanos() + TimeUnit.MILLISECONDS.toNanos(300);
        while (System.nanoTime() < until) {
            LockSupport.parkNanos(until - System.nanoTime());
        }
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited %s for: %s", timeout, what).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
