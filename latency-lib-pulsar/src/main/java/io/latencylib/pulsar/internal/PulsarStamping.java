package io.latencylib.pulsar.internal;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Pulsar wrappers and interceptors share: the stamp as a message property, the producer
 * settings the dispatch estimate needs, the batch relation of acknowledgements, and the
 * observation of received messages.
 */
public final class PulsarStamping {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.pulsar");

    /** Messaging system name, for the recorder and the {@code messaging.system} tag. */
    public static final String SYSTEM = "pulsar";

    /** Pulsar's default batching settings (ProducerConfigurationData, 4.0). */
    static final long DEFAULT_DELAY_MICROS = 1_000;
    static final int DEFAULT_MAX_MESSAGES = 1_000;
    static final int DEFAULT_MAX_BYTES = 128 * 1024;
    /**
     * Bound on batches in flight per partition for the estimator. Pulsar pipelines sends without a
     * request limit of its own (only maxPendingMessages and the memory limit), so the bound is loose.
     */
    static final int MAX_BATCHES_IN_FLIGHT = 4096;

    private PulsarStamping() {
    }

    // ---------------------------------------------------------------- the stamp as a property

    /**
     * Property values are strings: the stamp's {@value LatencyStamp#LENGTH} bytes travel as standard Base64
     * (48 characters; a version-1 stamp of 30 bytes, 40).
     */
    public static String encode(byte[] stamp) {
        return Base64.getEncoder().encodeToString(stamp);
    }

    /** @return the stamp bytes, or null when {@code value} is absent or not Base64 (counted as unstamped) */
    public static byte[] decode(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    // ---------------------------------------------------------------- producer settings

    /**
     * Producer settings the split depends on.
     *
     * @param batching     {@code batchingEnabled}
     * @param delayMicros  {@code batchingMaxPublishDelayMicros} (the linger of the model)
     * @param maxMessages  {@code batchingMaxMessages}
     * @param maxBytes     {@code batchingMaxBytes}
     * @param maxPending   {@code maxPendingMessages} (0: no limit)
     */
    public record ProducerTraits(boolean batching, long delayMicros, int maxMessages, int maxBytes, int maxPending) {

        public static final ProducerTraits DEFAULTS = new ProducerTraits(true, DEFAULT_DELAY_MICROS,
                DEFAULT_MAX_MESSAGES, DEFAULT_MAX_BYTES, 0);

        /** From the keys of {@code ProducerBuilder.loadConf}; missing keys take Pulsar's defaults. */
        public static ProducerTraits from(Map<String, ?> config) {
            boolean batching = bool(config.get("batchingEnabled"), true);
            long delay = num(config.get("batchingMaxPublishDelayMicros"), DEFAULT_DELAY_MICROS);
            int maxMessages = (int) num(config.get("batchingMaxMessages"), DEFAULT_MAX_MESSAGES);
            int maxBytes = (int) num(config.get("batchingMaxBytes"), DEFAULT_MAX_BYTES);
            int maxPending = (int) num(config.get("maxPendingMessages"), 0);
            return new ProducerTraits(batching, delay, maxMessages, maxBytes, maxPending);
        }

        /**
         * Reads the configuration of a {@code ProducerImpl} or {@code PartitionedProducerImpl}
         * ({@code ProducerBase.getConfiguration()}), where the running client allows it.
         */
        public static Optional<ProducerTraits> of(Object producer) {
            try {
                Object conf = producer.getClass().getMethod("getConfiguration").invoke(producer);
                Class<?> c = conf.getClass();
                return Optional.of(new ProducerTraits(
                        (Boolean) c.getMethod("isBatchingEnabled").invoke(conf),
                        ((Number) c.getMethod("getBatchingMaxPublishDelayMicros").invoke(conf)).longValue(),
                        ((Number) c.getMethod("getBatchingMaxMessages").invoke(conf)).intValue(),
                        ((Number) c.getMethod("getBatchingMaxBytes").invoke(conf)).intValue(),
                        ((Number) c.getMethod("getMaxPendingMessages").invoke(conf)).intValue()));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return Optional.empty();
            }
        }

        private static boolean bool(Object v, boolean dflt) {
            return v == null ? dflt : v instanceof Boolean b ? b : Boolean.parseBoolean(v.toString().trim());
        }

        private static long num(Object v, long dflt) {
            if (v == null) {
                return dflt;
            }
            try {
                return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString().trim());
            } catch (NumberFormatException e) {
                return dflt;
            }
        }

        /** The linger of the latency model: the batching delay, or zero when batching is off. */
        public Duration linger() {
            return batching ? Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(delayMicros)) : Duration.ZERO;
        }

        /** Size at which the estimator takes a batch as full. */
        int batchMaxBytes() {
            return batching ? Math.max(1, maxBytes) : 1;
        }

        /**
         * The weight of a message for the estimator's byte count: at least its share of a batch full
         * by message count, so that {@code batchingMaxMessages} fills a batch as {@code batchingMaxBytes} does.
         */
        int weight(int approximateBytes) {
            if (!batching) {
                return 1; // every message is a batch of its own, sent at once
            }
            int perMessage = maxMessages > 0 ? (maxBytes + maxMessages - 1) / maxMessages : 0;
            return Math.max(Math.max(1, approximateBytes), perMessage);
        }

        int maxInFlight() {
            return maxPending > 0 ? Math.min(maxPending, MAX_BATCHES_IN_FLIGHT) : MAX_BATCHES_IN_FLIGHT;
        }
    }

    public static ProducerProbe newProducerProbe(LatencyRecorder recorder, ProducerTraits traits) {
        // a Pulsar acknowledgement means the entry is persisted by the ack quorum: it marks the commit
        return recorder.newProducerProbe(SYSTEM, true, traits.linger(), traits.batchMaxBytes(), traits.maxInFlight());
    }

    /** @return the size of a value when it is cheap to know (bytes, strings, buffers), else 0 */
    public static int approximateSize(Object value) {
        if (value instanceof byte[] b) {
            return b.length;
        }
        if (value instanceof String s) {
            return s.length();
        }
        if (value instanceof ByteBuffer bb) {
            return bb.remaining();
        }
        return 0;
    }

    // ---------------------------------------------------------------- acknowledgements

    /**
     * Per-producer observation of acknowledgements. Acknowledgements may complete on several client
     * threads (one per broker connection, or the caller's for synchronous sends): they are handed to
     * the probe one at a time, in the order they are observed.
     */
    public static final class AckTracker {
        private final ProducerProbe probe;
        private final LatencyClock clock;
        private final ProducerTraits traits;
        private int lastLane = -1;
        private long lastLedger = Long.MIN_VALUE;
        private long lastEntry = Long.MIN_VALUE;
        private boolean failureLogged;

        public AckTracker(ProducerProbe probe, LatencyClock clock, ProducerTraits traits) {
            this.probe = probe;
            this.clock = clock;
            this.traits = traits;
        }

        public ProducerProbe probe() {
            return probe;
        }

        public ProducerTraits traits() {
            return traits;
        }

        /**
         * The send of the message carrying {@code stamp} completed.
         *
         * @param approximateBytes the message's size when known, else 0
         * @param flushed          true when a synchronous send flushed the batch right after the message
         *                         (the batch left then, without waiting for the batching delay)
         */
        public synchronized void onAck(byte[] stamp, MessageId id, Throwable exception, int approximateBytes,
                                       boolean flushed) {
            long ack = clock.nowMicros();
            try {
                if (exception != null || id == null) {
                    probe.failed(stamp);
                    return;
                }
                int lane = 0;
                long ledger = Long.MIN_VALUE;
                long entry = Long.MIN_VALUE;
                if (id instanceof MessageIdAdv adv) {
                    lane = Math.max(0, adv.getPartitionIndex());
                    ledger = adv.getLedgerId();
                    entry = adv.getEntryId();
                }
                // same batch <=> same partition, ledger and entry (Pulsar's batch is one entry)
                int relation = lane == lastLane && ledger == lastLedger && entry == lastEntry && ledger != Long.MIN_VALUE
                        ? ProducerProbe.SAME_BATCH : ProducerProbe.NEW_REQUEST;
                lastLane = lane;
                lastLedger = ledger;
                lastEntry = entry;
                int weight = flushed ? traits.batchMaxBytes() : traits.weight(approximateBytes);
                probe.acked(stamp, ack, ProducerProbe.ESTIMATE, lane, relation, weight);
            } catch (RuntimeException e) {
                if (!failureLogged) {
                    failureLogged = true;
                    log.warn("latency-lib could not record a Pulsar acknowledgement; the application is not affected", e);
                }
            }
        }
    }

    // ---------------------------------------------------------------- consumer side

    /**
     * What one consumer (or one consumer seen by a listener or interceptor) keeps: its probe, its lanes,
     * and its busy time line.
     *
     * <p>Lanes: reordering is judged per consumer and partition. Consumers of a Shared or Key_Shared
     * subscription each get part of a partition, in order; across consumers the order of arrival means nothing.
     *
     * <p>The time line (latency model, "busy"): a Pulsar consumer is thread-safe, so several threads may
     * receive at once, and asynchronous receives complete on the client's threads. The consumer counts as
     * <em>free</em> (asking) while at least one receive call is in progress or one
     * {@code receiveAsync}/{@code batchReceiveAsync} future is pending, and as <em>busy</em> otherwise;
     * for pushed deliveries, busy while at least one listener call is in progress. The probe is not
     * thread-safe: every call to it goes through this object's monitor, held for a few field writes and
     * never across a call into the client (uncontended when one thread receives, as is usual).
     */
    public static final class ConsumerState {
        private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

        final ConsumerProbe probe;
        private final long id = IDS.incrementAndGet();
        private final ConcurrentHashMap<String, Integer> lanes = new ConcurrentHashMap<>();
        /** Receive calls in progress and receive futures pending (pull), or listener calls in progress (push). */
        private int outstanding;

        public ConsumerState(ConsumerProbe probe) {
            this.probe = probe;
        }

        int lane(String topic) {
            if (topic == null) {
                return -1;
            }
            Integer lane = lanes.get(topic);
            if (lane == null) {
                lane = probe.lane(id + "|" + topic);
                lanes.put(topic, lane);
            }
            return lane;
        }

        /** Pull: a receive call is entered, or an asynchronous receive asked for: free from {@code now} if it was busy. */
        public synchronized void asking(long now) {
            if (outstanding++ == 0) {
                probe.free(now);
            }
        }

        /** Pull: a receive call returned (whatever it returned, or threw), or a receive future completed. */
        public synchronized void answered(long now) {
            if (outstanding > 0 && --outstanding == 0) {
                probe.busy(now);
            }
        }

        /** Push: a listener call is entered: busy from {@code now}. */
        public synchronized void handling(long now) {
            if (outstanding++ == 0) {
                probe.busy(now);
            }
        }

        /** Push: a listener call returned (or threw): free from {@code now} when no other call is in progress. */
        public synchronized void handled(long now) {
            if (outstanding > 0 && --outstanding == 0) {
                probe.free(now);
            }
        }

        /** Push: the consumer subscribed at {@code now} and asks from then on. */
        public synchronized void subscribed(long now) {
            probe.free(now);
        }

        synchronized void received(byte[] stamp, int lane, long append, long receive) {
            probe.received(stamp, lane, append, receive);
        }

        synchronized void redelivered() {
            probe.redelivered();
        }
    }

    /** Observation of received messages, shared by the consumers and listeners of one recorder path. */
    public static final class ReceiveObserver {
        private final LatencyRecorder recorder;
        private final Set<String> topicsWithoutBrokerTime = ConcurrentHashMap.newKeySet();
        private volatile boolean failureLogged;

        public ReceiveObserver(LatencyRecorder recorder) {
            this.recorder = recorder;
        }

        public LatencyRecorder recorder() {
            return recorder;
        }

        /** @return the state of a new consumer, busy from now until it first asks (latency model: before its first call) */
        public ConsumerState newConsumerState() {
            return new ConsumerState(recorder.newConsumerProbe(SYSTEM));
        }

        /** Records one message handed to the application at {@code receive}. */
        public void observe(ConsumerState consumer, Message<?> message, long receive) {
            try {
                byte[] stamp = decode(message.getProperty(LatencyStamp.HEADER));
                Optional<Long> published = message.getBrokerPublishTime();
                long append = ConsumerProbe.NO_APPEND_TIME;
                String topic = message.getTopicName();
                if (published.isPresent()) {
                    append = published.get();
                } else if (stamp != null && topicsWithoutBrokerTime.add(String.valueOf(topic))) {
                    recorder.note("Pulsar messages of '" + topic + "' carry no broker publish time, so publish and"
                            + " commit are reported merged; set brokerEntryMetadataInterceptors="
                            + "org.apache.pulsar.common.intercept.AppendBrokerTimestampMetadataInterceptor and"
                            + " exposingBrokerEntryMetadataToClientEnabled=true on the brokers to split them");
                }
                if (stamp != null && message.getRedeliveryCount() > 0) {
                    consumer.redelivered(); // counted apart; a second delivery also counts as duplicated
                }
                consumer.received(stamp, consumer.lane(topic), append, receive);
            } catch (RuntimeException e) {
                if (!failureLogged) {
                    failureLogged = true;
                    log.warn("latency-lib could not record a received Pulsar message; the application is not affected", e);
                }
            }
        }
    }
}
