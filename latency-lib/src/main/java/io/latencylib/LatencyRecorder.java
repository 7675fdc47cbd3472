package io.latencylib;

import io.latencylib.internal.JoinEngine;
import io.latencylib.internal.ProbeAccess;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import io.latencylib.spi.RecordingListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Records the latency of messages that wrapped producers and consumers of this process exchange.
 *
 * <p>Create one per measurement (a test, a load run, a service), hand it to the broker adapter's
 * {@code wrap} methods, and read {@link #report()} whenever you like:
 * <pre>{@code
 * LatencyRecorder recorder = LatencyRecorder.create();
 * Producer<String, String> producer = KafkaLatency.wrap(kafkaProducer, recorder);
 * Consumer<String, String> consumer = KafkaLatency.wrap(kafkaConsumer, recorder);
 * ... send and poll as usual ...
 * System.out.println(recorder.report().toTable());
 * }</pre>
 *
 * <p>Producer-side and consumer-side halves of each message are joined in memory; a half whose
 * other half does not come within {@link Builder#evictAfter(Duration)} is evicted and counted (an
 * acknowledged message never received is lost). Memory is bounded whatever the traffic: by
 * {@link Builder#joinCapacity(int)} slots per producer of this process and
 * {@link Builder#remoteProducerMemory(long)} for the producers of other processes (see {@link Builder}).
 * Recording takes no locks and allocates nothing per message beyond the stamp bytes. Thread-safe.
 */
public final class LatencyRecorder {

    private final JoinEngine engine;
    private final LatencyClock clock;
    private final Histogram[] cumulative = new Histogram[JoinEngine.H_COUNT];
    private final Histogram[] scratch = new Histogram[JoinEngine.H_COUNT];
    private final List<IntervalReader> readers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final LiveCounts live;
    private LatencyReport.Counts baseCounts;
    private long[] baseClamps;
    private long startMicros;

    private LatencyRecorder(Builder b) {
        this.clock = b.clock;
        this.engine = new JoinEngine(b.clock, b.joinCapacity, b.evictAfter.toNanos() / 1000,
                b.maxClockOffset.toNanos() / 1000, b.remoteProducerMemory, b.messageListener, b.producerOnly);
        this.live = new LiveCounts(engine);
        this.startMicros = clock.nowMicros();
        this.baseCounts = live.snapshot();
        this.baseClamps = clampCounts();
    }

    /** @return a recorder with the defaults: system clock, eviction after 60 s, 32768 join slots per producer */
    public static LatencyRecorder create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** @return the clock this recorder reads */
    public LatencyClock clock() {
        return clock;
    }

    /**
     * For broker adapters: registers a producer of this process. A new producer id is drawn for
     * each call, so a restarted producer is never confused with its predecessor.
     *
     * @param system         the messaging system, e.g. {@code kafka}
     * @param ackMarksCommit true when the producer's acknowledgement means the message is committed
     *                       (Kafka {@code acks=all}, Pulsar, RabbitMQ confirms)
     * @param linger         how long the client may hold a batch open (zero when it does not batch)
     * @param batchMaxBytes  the size at which a batch is sent without waiting for the linger
     * @param maxInFlight    how many requests the client keeps in flight to one broker (1 when it does not pipeline)
     */
    public ProducerProbe newProducerProbe(String system, boolean ackMarksCommit, Duration linger, int batchMaxBytes,
                                          int maxInFlight) {
        return ProbeAccess.newProducer(engine, engine.registerProducer(system, ackMarksCommit,
                linger.toNanos() / 1000, batchMaxBytes, maxInFlight));
    }

    /**
     * For broker adapters: a probe for one consumer (not thread-safe, like the consumers it serves).
     *
     * @param system the messaging system, e.g. {@code kafka}
     */
    public ConsumerProbe newConsumerProbe(String system) {
        engine.system(system);
        return ProbeAccess.newConsumer(engine, clock.nowMicros());
    }

    /**
     * Adds a note to every later report (once per distinct text) and logs it at WARN, e.g. why a
     * stage is reported merged.
     */
    public void note(String text) {
        engine.note(Objects.requireNonNull(text));
    }

    /**
     * For exporters: {@code listener} sees every value recorded from now on, as it is recorded (see
     * {@link RecordingListener}); {@link #removeListener} stops it.
     */
    public void addListener(RecordingListener listener) {
        engine.addListener(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(RecordingListener listener) {
        engine.removeListener(listener);
    }

    /** @return the counts since this recorder was created, read live (not reset by {@link #reset()}) */
    public LiveCounts counts() {
        return live;
    }

    /** @return how many stamped messages wrapped consumers have received so far (cheap, live) */
    public long receivedCount() {
        return live.received();
    }

    /** @return how many messages wrapped producers have sent so far (cheap, live) */
    public long sentCount() {
        return live.sent();
    }

    /** @return a snapshot of everything recorded since creation or the last {@link #reset()} */
    public synchronized LatencyReport report() {
        drain();
        return build(cumulative, live.snapshot(), clampCounts(), baseCounts, baseClamps, startMicros, clock.nowMicros());
    }

    /**
     * Discards everything recorded so far and from now on measures only messages sent from now on
     * (e.g. after a warm-up); messages sent before still join, but are neither counted nor recorded.
     */
    public void reset() {
        measureFrom(clock.nowMicros());
    }

    /**
     * Discards everything recorded so far and measures only messages whose intended send instant
     * (paced traffic) or send instant is at or after {@code from}, which may lie in the future: a
     * warm-up that ends then is excluded exactly, whatever the timing of this call.
     */
    public void measureFrom(Instant from) {
        measureFrom(from.getEpochSecond() * 1_000_000L + from.getNano() / 1_000);
    }

    private synchronized void measureFrom(long fromMicros) {
        engine.measureFrom(fromMicros);
        drain();
        java.util.Arrays.fill(cumulative, null);
        baseCounts = live.snapshot();
        baseClamps = clampCounts();
        startMicros = Math.max(clock.nowMicros(), fromMicros);
        engine.resetClockOffsetBounds();
        for (IntervalReader reader : readers) {
            reader.restart();
        }
    }

    /**
     * @return a reader of consecutive intervals: each {@link IntervalReader#next()} reports what was
     *     recorded since its previous call (e.g. for progress lines or one report per step); readers
     *     are independent of each other and of {@link #report()}
     */
    public synchronized IntervalReader newIntervalReader() {
        drain();
        IntervalReader reader = new IntervalReader();
        readers.add(reader);
        return reader;
    }

    /** Reports consecutive intervals of a recorder. Thread-safe. */
    public final class IntervalReader {
        private final Histogram[] histograms = new Histogram[JoinEngine.H_COUNT];
        private LatencyReport.Counts base;
        private long[] baseClamps;
        private long startMicros;

        private IntervalReader() {
            restart();
        }

        private void restart() {
            java.util.Arrays.fill(histograms, null);
            base = live.snapshot();
            baseClamps = clampCounts();
            startMicros = Math.max(clock.nowMicros(), LatencyRecorder.this.startMicros);
        }

        /** @return what was recorded since the previous call (or since this reader was made) */
        public LatencyReport next() {
            synchronized (LatencyRecorder.this) {
                drain();
                LatencyReport.Counts now = live.snapshot();
                long[] clampsNow = clampCounts();
                long end = clock.nowMicros();
                // before a future measureFrom instant (a warm-up), the interval is empty and ends now
                LatencyReport report = build(histograms, now, clampsNow, base, baseClamps, Math.min(startMicros, end),
                        end);
                java.util.Arrays.fill(histograms, null);
                base = now;
                baseClamps = clampsNow;
                startMicros = end;
                return report;
            }
        }

        /** Stops this reader; its histograms are released. */
        public void close() {
            synchronized (LatencyRecorder.this) {
                readers.remove(this);
            }
        }
    }

    /** Moves what the engine recorded into the cumulative histograms and every interval reader's. */
    private void drain() {
        engine.evictStale();
        engine.drainInto(scratch);
        for (int i = 0; i < scratch.length; i++) {
            Histogram h = scratch[i];
            if (h == null || h.getTotalCount() == 0) {
                continue;
            }
            addTo(cumulative, i, h);
            for (IntervalReader reader : readers) {
                addTo(reader.histograms, i, h);
            }
            h.reset();
        }
    }

    private static void addTo(Histogram[] target, int i, Histogram h) {
        if (target[i] == null) {
            target[i] = new Histogram(JoinEngine.HIGHEST_MICROS, JoinEngine.SIGNIFICANT_DIGITS);
        }
        target[i].add(h);
    }

    private long[] clampCounts() {
        return engine.counters().clampSnapshot();
    }

    private LatencyReport build(Histogram[] hs, LatencyReport.Counts counts, long[] clamps, LatencyReport.Counts base,
                                long[] baseClamps, long fromMicros, long toMicros) {
        List<StageStats> stages = new ArrayList<>();
        for (int from = 0; from < 5; from++) {
            for (int to = from + 1; to <= 5; to++) {
                Histogram h = hs[from * 6 + to];
                if (h != null && h.getTotalCount() > 0) {
                    stages.add(StageStats.of(List.of(Stage.values()).subList(from, to), h.copy()));
                }
            }
        }
        Map<Stage, Long> clampsByStage = new EnumMap<>(Stage.class);
        Map<Stage, Duration> largest = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            clampsByStage.put(s, clamps[s.ordinal()] - baseClamps[s.ordinal()]);
            largest.put(s, Duration.ofNanos(engine.counters().largestClampMicros(s) * 1000));
        }
        long[] offset = engine.clockOffsetBounds();
        return new LatencyReport(instant(fromMicros), instant(toMicros),
                new StageStats("end-to-end", List.of(), copyOrEmpty(hs, 0)),
                stats(hs, "end-to-end from intended", JoinEngine.H_END_TO_END_INTENDED),
                stats(hs, "producer (send->ack)", JoinEngine.H_PRODUCER),
                stats(hs, "lateness", JoinEngine.H_LATENESS),
                stages, counts.minus(base), clampsByStage, largest,
                offset == null ? null : new LatencyReport.ClockOffsetBounds(offset[0], offset[1]),
                engine.noteList(), engine.systems());
    }

    private static StageStats stats(Histogram[] hs, String name, int index) {
        Histogram h = hs[index];
        return h == null || h.getTotalCount() == 0 ? null : new StageStats(name, List.of(), h.copy());
    }

    private static Histogram copyOrEmpty(Histogram[] hs, int index) {
        Histogram h = hs[index];
        return h == null ? new Histogram(JoinEngine.HIGHEST_MICROS, JoinEngine.SIGNIFICANT_DIGITS) : h.copy();
    }

    private static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }

    /**
     * Settings of a {@link LatencyRecorder}. Every setter checks its value and names the allowed range when it
     * refuses one.
     *
     * <p>Memory, whatever the traffic: each wrapped producer holds {@code joinCapacity ×} 88 bytes (2.75 MiB at
     * the default) until it is closed and nothing waits in it; each wrapped consumer 48 KiB of busy-time
     * checkpoints; producers of other processes share {@link #remoteProducerMemory(long)} (4 MiB by default,
     * about 9 KiB each); the histograms take a fixed amount per recorder (about 190 KiB per stage or figure
     * recorded, twice for interval recording).
     */
    public static final class Builder {
        /** Bounds of the settings. */
        static final int MIN_JOIN_CAPACITY = 16, MAX_JOIN_CAPACITY = 1 << 24;
        static final Duration MIN_EVICT_AFTER = Duration.ofMillis(1), MAX_EVICT_AFTER = Duration.ofHours(1);
        static final Duration MAX_CLOCK_OFFSET = Duration.ofHours(1);
        static final long MIN_REMOTE_MEMORY = 0, MAX_REMOTE_MEMORY = 1L << 30;

        private LatencyClock clock = LatencyClock.system();
        private Duration evictAfter = Duration.ofSeconds(60);
        private Duration maxClockOffset = Duration.ofSeconds(10);
        private int joinCapacity = 32768;
        private long remoteProducerMemory = 4L << 20;
        private Consumer<MessageLatency> messageListener;
        private boolean producerOnly;

        private Builder() {
        }

        /** The clock to read (default: the system wall clock, microsecond resolution). */
        public Builder clock(LatencyClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long one half of a message waits for the other before it is evicted and counted (default 60 s,
         * from 1 ms to 1 h). A message received longer than this after its send is implausible (its stamp is not
         * believed): raise it to measure consumers that read old backlogs.
         */
        public Builder evictAfter(Duration evictAfter) {
            this.evictAfter = inRange("evictAfter", evictAfter, MIN_EVICT_AFTER, MAX_EVICT_AFTER);
            return this;
        }

        /**
         * How far a send instant may lie in the future of the consuming host's clock before the stamp is counted
         * implausible (default 10 s, from 0 to 1 h): the largest clock offset between producing and consuming hosts.
         */
        public Builder maxClockOffset(Duration maxClockOffset) {
            this.maxClockOffset = inRange("maxClockOffset", maxClockOffset, Duration.ZERO, MAX_CLOCK_OFFSET);
            return this;
        }

        /**
         * Join slots per producer: the most messages of one producer that can be in flight (sent but
         * not yet both acknowledged and received) at once; a power of two from 16 to 2^24, default 32768
         * (88 bytes each: 2.75 MiB).
         */
        public Builder joinCapacity(int joinCapacity) {
            if (joinCapacity < MIN_JOIN_CAPACITY || joinCapacity > MAX_JOIN_CAPACITY
                    || Integer.bitCount(joinCapacity) != 1) {
                throw new IllegalArgumentException("joinCapacity must be a power of two from " + MIN_JOIN_CAPACITY
                        + " to " + MAX_JOIN_CAPACITY + " (2^24), but was " + joinCapacity);
            }
            this.joinCapacity = joinCapacity;
            return this;
        }

        /**
         * The memory that producers of other processes (met only through the messages they sent) may take
         * together, in bytes: each takes about 9 KiB to tell its duplicates; when the budget is full, messages of
         * further producers are still recorded and counted {@code untracked}, and a producer idle for
         * {@link #evictAfter(Duration)} gives up its room. From 0 to 1 GiB, default 4 MiB (about 450 producers).
         */
        public Builder remoteProducerMemory(long bytes) {
            if (bytes < MIN_REMOTE_MEMORY || bytes > MAX_REMOTE_MEMORY) {
                throw new IllegalArgumentException("remoteProducerMemory must be from 0 to " + MAX_REMOTE_MEMORY
                        + " bytes (1 GiB), but was " + bytes);
            }
            this.remoteProducerMemory = bytes;
            return this;
        }

        private static Duration inRange(String name, Duration value, Duration min, Duration max) {
            Objects.requireNonNull(value, name);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be from " + text(min) + " to " + text(max)
                        + ", but was " + text(value));
            }
            return value;
        }

        private static String text(Duration d) {
            return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT).replace("0.001s", "1ms");
        }

        /** Called with every message's split, on the thread that completed it; keep it fast. Allocates per message. */
        public Builder messageListener(Consumer<MessageLatency> listener) {
            this.messageListener = listener;
            return this;
        }

        /**
         * Nothing consumes the measured messages (a producer-only load run, a producer benchmark): each
         * message's record ends at its acknowledgement, so join slots are held only while a message is
         * unacknowledged and nothing is evicted or counted lost for want of a consumer. Producer latency
         * and lateness are measured as usual; the five stages are not.
         */
        public Builder producerOnly() {
            this.producerOnly = true;
            return this;
        }

        public LatencyRecorder build() {
            return new LatencyRecorder(this);
        }
    }
}
