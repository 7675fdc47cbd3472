package io.latencylib.load;

import io.latencylib.LatencyRecorder;
import io.latencylib.LiveCounts;
import io.latencylib.LatencyReport;
import io.latencylib.StageStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open-model load run: messages are sent when the {@link Schedule} says, whatever the broker
 * does, and latency is measured from each message's intended send instant as well as from its
 * actual one, so a stalled sender cannot hide a stall (coordinated omission).
 *
 * <pre>{@code
 * LoadReport report = LoadRun.builder(KafkaLoadDriver.create(bootstrapServers))
 *         .destination("orders-load")
 *         .schedule(Schedule.constant(10_000, Duration.ofSeconds(20)))
 *         .messageSize(1024)
 *         .warmUp(Duration.ofSeconds(5))
 *         .run();
 * System.out.println(report.toTable());
 * }</pre>
 *
 * <p>Senders park until a message is due (a spinning sender would take a core away from the broker
 * and the consumers and inflate the latency it measures); one that falls behind sends what is due at
 * once, without skipping and without sleeping it away. The run opens the driver and closes it.
 */
public final class LoadRun {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.load");

    private final Builder b;

    private LoadRun(Builder b) {
        this.b = b;
    }

    public static Builder builder(LoadDriver driver) {
        return new Builder(driver);
    }

    /** Seconds of the schedule's highest rate a recorder the run makes itself can hold in flight per producer. */
    static final double IN_FLIGHT_SECONDS = 2;
    /** The most join slots per producer such a recorder gets: 2^19, 46 MiB (88 bytes each). */
    static final int MAX_OWN_JOIN_CAPACITY = 1 << 19;
    private static final int DEFAULT_JOIN_CAPACITY = 32768;

    /**
     * The recorder of a run that was given none: producer-only without consumers; otherwise with join slots for
     * {@value #IN_FLIGHT_SECONDS} s of the schedule's highest rate per producer (at least the default 32,768, at most
     * 2^19). With the default alone, a run at 100,000 msg/s whose end-to-end latency passed ~0.3 s overflowed
     * the join table: 28% of its messages were evicted and reported with merged stages (2026-12-06).
     */
    static LatencyRecorder ownRecorder(Builder b) {
        if (b.consumers == 0) {
            return LatencyRecorder.builder().producerOnly().build();
        }
        int capacity = joinCapacityFor(b.schedule, b.producers);
        return capacity == DEFAULT_JOIN_CAPACITY ? LatencyRecorder.create()
                : LatencyRecorder.builder().joinCapacity(capacity).build();
    }

    /** Join slots per producer for {@value #IN_FLIGHT_SECONDS} s of {@code schedule}'s highest rate: a power of two. */
    static int joinCapacityFor(Schedule schedule, int producers) {
        double peak = schedule.averageRate();
        long nanos = schedule.duration().toNanos();
        for (int i = 0; i <= 1000; i++) {
            peak = Math.max(peak, schedule.rateAt(nanos / 1000 * i));
        }
        double slots = peak * IN_FLIGHT_SECONDS / Math.max(1, producers);
        int capacity = DEFAULT_JOIN_CAPACITY;
        while (capacity < slots && capacity < MAX_OWN_JOIN_CAPACITY) {
            capacity <<= 1;
        }
        return capacity;
    }

    /** Runs the schedule (after the warm-up), waits for the consumers to drain, and reports. */
    public LoadReport run() {
        LatencyRecorder recorder = b.recorder != null ? b.recorder : ownRecorder(b);
        Messages.PayloadPool payloads = new Messages.PayloadPool(b.sizes, b.payload, b.userPayload, b.seed);
        Schedule full = b.warmUp.isZero() ? b.schedule
                : Schedule.constant(Math.max(1, b.schedule.rateAt(0)), b.warmUp).then(b.schedule);
        long warmUpNanos = b.warmUp.toNanos();
        b.driver.open(b.destination, b.producers, b.consumers, recorder);
        try {
            return execute(recorder, payloads, full, warmUpNanos);
        } finally {
            b.driver.close();
        }
    }

    private LoadReport execute(LatencyRecorder recorder, Messages.PayloadPool payloads, Schedule full, long warmUpNanos) {
        long start0 = System.nanoTime() + 20_000_000L; // every sender starts from the same instant
        long startMicros0 = recorder.clock().nowMicros() + (start0 - System.nanoTime()) / 1000;
        double share = 1;
        if (b.share != null) { // the global schedule starts at T0, agreed with the other workers
            long t0Micros = Math.addExact(Math.multiplyExact(b.share.start().getEpochSecond(), 1_000_000L),
                    b.share.start().getNano() / 1000);
            long nowMicros = recorder.clock().nowMicros();
            if (nowMicros > t0Micros) {
                throw new IllegalStateException(String.format(java.util.Locale.ROOT, "worker %d of %d could not start"
                                + " by T0 %s: it was ready %.1f ms after it; its share of the schedule cannot be sent"
                                + " on time, so the run fails (agree on a later T0)", b.share.index(), b.share.count(),
                        b.share.start(), (nowMicros - t0Micros) / 1000.0));
            }
            startMicros0 = t0Micros;
            start0 = System.nanoTime() + (t0Micros - nowMicros) * 1000;
            share = 1.0 / b.share.count();
        }
        long startNanos = start0;
        long startMicros = startMicros0;
        double shareOfRate = share;
        // the warm-up is excluded exactly: only messages intended from its end on are measured
        recorder.measureFrom(Instant.ofEpochSecond(0, (startMicros + warmUpNanos / 1000) * 1000));
        List<Schedule> phases = b.schedule.phases();
        long[] phaseEnds = new long[phases.size()];
        long end = warmUpNanos;
        for (int i = 0; i < phases.size(); i++) {
            end += phases.get(i).duration().toNanos();
            phaseEnds[i] = end;
        }
        AtomicLongArray phaseSent = new AtomicLongArray(phases.size());
        AtomicLong measured = new AtomicLong();
        AtomicLong warmUpSent = new AtomicLong();
        AtomicLong lastSendNanos = new AtomicLong(startNanos);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        AtomicReference<String> abort = new AtomicReference<>();
        List<Thread> senders = new ArrayList<>();
        for (int p = 0; p < b.producers; p++) {
            int producer = p;
            LoadDriver.Sender sender = b.driver.sender(p);
            Thread t = new Thread(() -> {
                try {
                    paceAndSend(producer, sender, full.cursor(), startNanos, startMicros, warmUpNanos, payloads,
                            measured, warmUpSent, lastSendNanos, phaseEnds, phaseSent, abort);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }, "latency-load-sender-" + p);
            t.setDaemon(true);
            senders.add(t);
        }
        senders.forEach(Thread::start);

        // The monitor: warm-up end, phase ends, progress lines and backlog samples, on this thread.
        LatencyRecorder.IntervalReader phaseReader = recorder.newIntervalReader();
        LatencyRecorder.IntervalReader progressReader = recorder.newIntervalReader();
        List<LoadReport.Phase> phaseReports = new ArrayList<>();
        List<LoadReport.BacklogSample> backlog = new ArrayList<>();
        boolean warm = warmUpNanos == 0;
        int phase = 0;
        long sampleEvery = Math.min(1_000_000_000L, b.progressEvery.toNanos());
        long nextSample = sampleEvery;
        long nextProgress = b.progressEvery.toNanos();
        long sentAtLastProgress = 0;
        long lastProgressAt = 0;
        try {
            while (senders.stream().anyMatch(Thread::isAlive)) {
                long elapsed = System.nanoTime() - startNanos;
                if (!warm && elapsed >= warmUpNanos) {
                    warm = true;
                    phaseReader.next(); // the warm-up interval itself is not a phase
                }
                if (warm && phase < phases.size() - 1 && elapsed >= phaseEnds[phase]) {
                    phaseReports.add(phase(phases.get(phase), phaseSent.get(phase), phaseReader.next()));
                    phase++;
                }
                if (elapsed >= nextSample) {
                    LoadReport.BacklogSample sample = new LoadReport.BacklogSample(Duration.ofNanos(elapsed),
                            recorder.sentCount(), delivered(recorder));
                    backlog.add(sample);
                    nextSample += sampleEvery;
                    if (b.abortBehind != null && b.consumers > 0
                            && sample.backlog() > b.abortBehind.toNanos() / 1e9 * full.averageRate() * shareOfRate) {
                        abort.compareAndSet(null, String.format(java.util.Locale.ROOT, "consumers fell behind: %d"
                                        + " messages not yet received, more than %d ms at %.0f msg/s", sample.backlog(),
                                b.abortBehind.toMillis(), full.averageRate()));
                    }
                }
                if (elapsed >= nextProgress) {
                    LatencyReport interval = progressReader.next();
                    long sentNow = warmUpSent.get() + measured.get(); // the recorder counts no warm-up
                    double seconds = (elapsed - lastProgressAt) / 1e9;
                    StageStats e2e = interval.endToEndFromIntended().orElse(interval.endToEnd());
                    b.progressListener.accept(new Progress(Duration.ofNanos(elapsed), full.duration(),
                            full.rateAt(elapsed) * shareOfRate, (sentNow - sentAtLastProgress) / seconds, e2e.p50(), e2e.p99(),
                            recorder.sentCount() - delivered(recorder), !warm));
                    sentAtLastProgress = sentNow;
                    lastProgressAt = elapsed;
                    nextProgress += b.progressEvery.toNanos();
                }
                long next = Math.min(nextSample, nextProgress);
                if (!warm) {
                    next = Math.min(next, warmUpNanos);
                } else if (phase < phases.size() - 1) {
                    next = Math.min(next, phaseEnds[phase]);
                }
                LockSupport.parkNanos(Math.max(1_000_000L, Math.min(next - elapsed, 50_000_000L)));
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            b.driver.flush();
            long sendingNanos = lastSendNanos.get() - startNanos - warmUpNanos;
            long drainDeadline = System.nanoTime() + b.drainTimeout.toNanos();
            boolean drained = b.consumers == 0;
            while (!drained && !(drained = delivered(recorder) >= recorder.sentCount())
                    && System.nanoTime() < drainDeadline) {
                LockSupport.parkNanos(5_000_000L); // re-check every 5 ms until the consumers caught up
            }
            backlog.add(new LoadReport.BacklogSample(Duration.ofNanos(System.nanoTime() - startNanos),
                    recorder.sentCount(), delivered(recorder)));
            phaseReports.add(phase(phases.get(phase), phaseSent.get(phase), phaseReader.next()));
            return new LoadReport(b.schedule, recorder.report(), phaseReports, measured.get(),
                    Duration.ofNanos(Math.max(0, sendingNanos)), backlog, drained, abort.get(), b.warmUp);
        } finally {
            phaseReader.close();
            progressReader.close();
        }
    }

    private static LoadReport.Phase phase(Schedule schedule, long sent, LatencyReport interval) {
        return new LoadReport.Phase(schedule, schedule.averageRate(), sent / (schedule.duration().toNanos() / 1e9),
                interval);
    }

    private void paceAndSend(int producer, LoadDriver.Sender sender, Schedule.Cursor cursor, long startNanos,
                             long startMicros, long warmUpNanos, Messages.PayloadPool payloads, AtomicLong measured,
                             AtomicLong warmUpSent, AtomicLong lastSendNanos, long[] phaseEnds, AtomicLongArray phaseSent,
                             AtomicReference<String> abort) {
        int phase = 0;
        boolean failureLogged = false;
        long abortNanos = b.abortBehind == null ? Long.MAX_VALUE : b.abortBehind.toNanos();
        for (long index = 0; ; index++) {
            long due = cursor.next();
            if (due < 0 || abort.get() != null) {
                break;
            }
            if (b.share == null ? index % b.producers != producer
                    : !b.share.owns(index) || (index / b.share.count()) % b.producers != producer) {
                continue;
            }
            boolean measuredPart = due >= warmUpNanos;
            if (measuredPart && measured.get() >= b.stopAfter) {
                break;
            }
            long dueNanos = startNanos + due;
            long wait;
            while ((wait = dueNanos - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait); // park, never spin; lateness shows what the timer costs
            }
            if (-wait > abortNanos) {
                abort.compareAndSet(null, String.format(java.util.Locale.ROOT, "senders fell behind the schedule by"
                        + " more than %d ms", b.abortBehind.toMillis()));
                break;
            }
            try {
                sender.send(b.keys.key(index), payloads.payload(index), startMicros + due / 1000);
            } catch (RuntimeException e) {
                if (!failureLogged) {
                    failureLogged = true;
                    log.warn("a send of the load run failed (counted as a send error; the run goes on)", e);
                }
            }
            if (measuredPart) {
                measured.incrementAndGet();
                long sentAt = System.nanoTime();
                lastSendNanos.accumulateAndGet(sentAt, Math::max);
                while (phase < phaseEnds.length - 1 && sentAt - startNanos >= phaseEnds[phase]) {
                    phase++;
                }
                phaseSent.incrementAndGet(phase); // the phase it was actually sent in
            } else {
                warmUpSent.incrementAndGet();
            }
        }
    }

    /** Settings of a {@link LoadRun}. */
    public static final class Builder {
        private final LoadDriver driver;
        private String destination = "latency-load";
        private int producers = 1;
        private int consumers = 1;
        private int[] sizes = {1024};
        private Messages.Keys keys = Messages.Keys.none();
        private Messages.Payload payload = Messages.Payload.RANDOM;
        private byte[] userPayload;
        private Schedule schedule;
        private Duration warmUp = Duration.ZERO;
        private long stopAfter = Long.MAX_VALUE;
        private Duration progressEvery = Duration.ofSeconds(5);
        private Consumer<Progress> progressListener = p -> log.info("latency-lib load {}", p);
        private LatencyRecorder recorder;
        private Duration drainTimeout = Duration.ofSeconds(30);
        private Duration abortBehind;
        private long seed = 1;
        private WorkerShare share;

        private Builder(LoadDriver driver) {
            this.driver = Objects.requireNonNull(driver, "driver");
        }

        /** The topic (queue, exchange) to send to; the driver creates it when missing. Default {@code latency-load}. */
        public Builder destination(String destination) {
            this.destination = Objects.requireNonNull(destination, "destination");
            return this;
        }

        /** Producers, each with a sending thread of its own sharing the schedule. Default 1. */
        public Builder producers(int producers) {
            this.producers = atLeast(producers, 1, "producers");
            return this;
        }

        /**
         * Consumers. Default 1. With 0 the run only produces: producer latency and lateness are
         * measured, end-to-end is not (and nothing waits for a drain). A recorder the run makes itself is
         * then {@linkplain LatencyRecorder.Builder#producerOnly() producer-only}; build yours that way too.
         */
        public Builder consumers(int consumers) {
            this.consumers = atLeast(consumers, 0, "consumers");
            return this;
        }

        /** Every payload has {@code bytes} bytes. Default 1024. */
        public Builder messageSize(int bytes) {
            return messageSizes(bytes);
        }

        /** Payload sizes drawn from these values, each equally likely (repeat a value to weight it). */
        public Builder messageSizes(int... bytes) {
            if (bytes.length == 0) {
                throw new IllegalArgumentException("give at least one message size");
            }
            for (int s : bytes) {
                atLeast(s, 0, "message size");
            }
            this.sizes = bytes.clone();
            return this;
        }

        /** Keys of the messages. Default {@link Messages.Keys#none()}. */
        public Builder keys(Messages.Keys keys) {
            this.keys = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /** Random (default) or compressible payloads. */
        public Builder payload(Messages.Payload payload) {
            this.payload = Objects.requireNonNull(payload, "payload");
            return this;
        }

        /** Every message carries exactly these bytes (sizes are then ignored). */
        public Builder payload(byte[] payload) {
            this.userPayload = Objects.requireNonNull(payload, "payload").clone();
            return this;
        }

        /** When messages are due. Required. */
        public Builder schedule(Schedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /** Load at the schedule's initial rate for this long first, excluded from every report. Default none. */
        public Builder warmUp(Duration warmUp) {
            if (warmUp.isNegative()) {
                throw new IllegalArgumentException("warm-up must not be negative: " + warmUp);
            }
            this.warmUp = warmUp;
            return this;
        }

        /** Stop after this many messages (after warm-up), even if the schedule goes on. */
        public Builder stopAfter(long messages) {
            if (messages <= 0) {
                throw new IllegalArgumentException("stopAfter must be positive: " + messages);
            }
            this.stopAfter = messages;
            return this;
        }

        /** How often a progress line is produced. Default 5 s. */
        public Builder progressEvery(Duration every) {
            if (every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("progressEvery must be positive: " + every);
            }
            this.progressEvery = every;
            return this;
        }

        /** Receives the progress lines (default: logged at INFO by {@code io.latencylib.load}). */
        public Builder progressListener(Consumer<Progress> listener) {
            this.progressListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Record into this recorder (for instance one the driver's clients were wrapped with). Default: a new one,
         * with join slots for 2 s of the schedule's highest rate per producer (32,768 to 2^19 a producer).
         */
        public Builder recorder(LatencyRecorder recorder) {
            this.recorder = Objects.requireNonNull(recorder, "recorder");
            return this;
        }

        /** How long to wait after the last send for the consumers to receive everything. Default 30 s. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Stops the run early once it has plainly failed to keep up: when a sender is more than
         * {@code lag} behind its schedule, or the consumers more than {@code lag}'s worth of messages (at
         * the schedule's average rate) behind the producers. The report then says so
         * ({@link LoadReport#aborted()}). A probe far above what the system sustains ends in seconds
         * instead of piling up a backlog that slows whatever runs next. Default: never (a run keeps to
         * its schedule however late it gets, which is what measures a stall).
         */
        public Builder abortWhenBehind(Duration lag) {
            if (lag.isNegative() || lag.isZero()) {
                throw new IllegalArgumentException("abortWhenBehind must be positive: " + lag);
            }
            this.abortBehind = lag;
            return this;
        }

        /**
         * Sends only this worker's share of the schedule, timed from the share's start instant T0 instead of
         * from when the run is ready: message {@code g} is sent by worker {@code g mod count} (see
         * {@link WorkerShare}). The run fails when it is not ready to send by T0. The schedule, the warm-up and
         * the keys stay those of the whole run, so the workers' reports add up to one run's. Default: the
         * whole schedule, from now.
         */
        public Builder workerShare(WorkerShare share) {
            this.share = Objects.requireNonNull(share, "share");
            return this;
        }

        /** Seed of payload bytes and random keys. Default 1. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public LoadRun build() {
            if (schedule == null) {
                throw new IllegalStateException("a load run needs a schedule: .schedule(Schedule.constant(1000,"
                        + " Duration.ofSeconds(20))) for instance");
            }
            return new LoadRun(this);
        }

        /** Builds and runs. */
        public LoadReport run() {
            return build().run();
        }

        private static int atLeast(int v, int min, String what) {
            if (v < min) {
                throw new IllegalArgumentException(what + " must be at least " + min + ": " + v);
            }
            return v;
        }
    }

    /** @return the distinct messages received so far: a redelivery (after a restart or rebalance) is not progress */
    private static long delivered(LatencyRecorder recorder) {
        LiveCounts c = recorder.counts();
        return c.received() - c.duplicated();
    }

}
