package io.latencylib.micrometer;

import io.latencylib.LatencyRecorder;
import io.latencylib.Stage;
import io.latencylib.spi.RecordingListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Collectors;

/**
 * Publishes what a {@link LatencyRecorder} records as Micrometer meters, for the monitoring you
 * already run (Prometheus, Datadog, any Micrometer backend).
 *
 * <pre>{@code
 * LatencyMeters meters = LatencyMeters.builder(recorder).system("kafka").destination("orders").build();
 * meters.bindTo(registry);     // ... and meters.close() removes them again
 * }</pre>
 *
 * <p>Meters (tags {@code messaging.system}, {@code messaging.destination.name} as in OpenTelemetry's
 * messaging conventions, plus your own):
 * <ul>
 *   <li>Timer {@code messaging.latency.stage}, tag {@code stage}: {@code produce}, {@code publish},
 *       {@code commit}, {@code catch-up}, {@code fetch}, or a merged stage such as
 *       {@code publish+commit} when a boundary is not observed. The stages of a message add up to its
 *       end-to-end latency, so a sum over {@code stage} is the end-to-end sum: nothing else carries
 *       this name;</li>
 *   <li>Timer {@code messaging.latency.end.to.end}, tag {@code from}: {@code send} (from the actual
 *       {@code send()}) or {@code intended} (paced load: from the intended send instant,
 *       coordinated-omission corrected). Two views of the same messages: never sum over {@code from};</li>
 *   <li>Timer {@code messaging.producer.latency}: send → acknowledgement;</li>
 *   <li>FunctionCounter {@code messaging.latency.messages}, tag {@code outcome}: sent, send-error,
 *       received, lost, duplicated, reordered, unstamped, evicted, implausible, aborted, returned,
 *       untracked (overlapping views of the traffic: never sum over {@code outcome});</li>
 *   <li>FunctionCounter {@code messaging.latency.clamps}, tag {@code stage}: clamps at the end of each
 *       of the five stages.</li>
 * </ul>
 * Cardinality per binder (one binder per recorder; use one recorder per destination for
 * per-destination meters): at most 15 {@code stage} timers (5 when every boundary is observed; a
 * timer is registered on its first value), 2 end-to-end timers (1 without paced load), 1 producer
 * timer, 12 outcome counters and 5 clamp counters. In Prometheus a timer is 3 series ({@code _count},
 * {@code _sum}, {@code _max}); percentile histograms (about 70 buckets per timer) and SLO buckets (one
 * per boundary) multiply that and are off unless asked for.
 *
 * <p>Like Micrometer's own binders, one {@code LatencyMeters} can be bound to several registries
 * (each value goes to all of them; binding a registry again does nothing), or to a
 * {@code CompositeMeterRegistry}.
 *
 * <p>The timers are fed by the recorder itself as it records each message (no second measurement),
 * so the end-to-end timer's count equals the report's received and joined messages; the counters
 * read the recorder's own counters.
 */
public final class LatencyMeters implements MeterBinder, AutoCloseable {

    /** Timer of the stages: tag {@code stage}. */
    public static final String STAGE_TIMER = "messaging.latency.stage";
    /** Timer of end-to-end latency: tag {@code from} = {@code send} or {@code intended}. */
    public static final String END_TO_END_TIMER = "messaging.latency.end.to.end";
    /** Timer of producer latency, send to acknowledgement. */
    public static final String PRODUCER_TIMER = "messaging.producer.latency";
    /** Counter of messages: tag {@code outcome}. */
    public static final String MESSAGES_COUNTER = "messaging.latency.messages";
    /** Counter of clamps: tag {@code stage}. */
    public static final String CLAMPS_COUNTER = "messaging.latency.clamps";

    private static final int SEGMENTS = 36;
    private static final int E2E_INTENDED = 36;
    private static final Timer[] NONE = new Timer[0];

    private final LatencyRecorder recorder;
    private final Tags tags;
    private final boolean percentileHistogram;
    private final Duration[] slos;
    /** The registries bound, and the meters registered in each; guarded by this. */
    private final Map<MeterRegistry, List<Meter>> registered = new IdentityHashMap<>();
    /** Per segment, its timer in every bound registry (an array replaced, never changed); null until its first value. */
    private final AtomicReferenceArray<Timer[]> timers = new AtomicReferenceArray<>(SEGMENTS + 1);
    private volatile Timer[] producerTimers = NONE;
    private final RecordingListener listener = new RecordingListener() {
        @Override
        public void onMessage(long send, long dispatch, long append, long commit, long ready, long receive,
                              long intended) {
            record(0, receive - send);
            int from = 0;
            long fromValue = send;
            for (int to = 1; to <= 5; to++) {
                long v = to == 1 ? dispatch : to == 2 ? append : to == 3 ? commit : to == 4 ? ready : receive;
                if (v != ABSENT) {
                    record(from * 6 + to, v - fromValue);
                    from = to;
                    fromValue = v;
                }
            }
            if (intended != ABSENT) {
                record(E2E_INTENDED, receive - intended);
            }
        }

        @Override
        public void onAcknowledgement(long sendMicros, long ackMicros) {
            for (Timer t : producerTimers) {
                t.record(ackMicros - sendMicros, TimeUnit.MICROSECONDS);
            }
        }
    };

    private LatencyMeters(Builder b) {
        this.recorder = b.recorder;
        this.tags = b.tags;
        this.percentileHistogram = b.percentileHistogram;
        this.slos = b.slos;
    }

    public static Builder builder(LatencyRecorder recorder) {
        return new Builder(recorder);
    }

    /**
     * Registers the meters in this registry too. The counters and the producer timer are registered
     * now, each stage timer on its first value; a registry already bound is left as it is.
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (registered.containsKey(registry)) {
            return;
        }
        List<Meter> meters = new ArrayList<>();
        registered.put(registry, meters);
        Map<String, java.util.function.ToDoubleFunction<LatencyRecorder>> outcomes = new java.util.LinkedHashMap<>();
        outcomes.put("sent", r -> r.sentCount());
        outcomes.put("send-error", r -> r.counts().sendErrors());
        outcomes.put("received", r -> r.receivedCount());
        outcomes.put("lost", r -> r.counts().lost());
        outcomes.put("duplicated", r -> r.counts().duplicated());
        outcomes.put("reordered", r -> r.counts().reordered());
        outcomes.put("unstamped", r -> r.counts().unstamped());
        outcomes.put("evicted", r -> r.counts().evicted());
        outcomes.put("implausible", r -> r.counts().implausible());
        outcomes.put("aborted", r -> r.counts().aborted());
        outcomes.put("returned", r -> r.counts().returned());
        outcomes.put("untracked", r -> r.counts().untracked());
        outcomes.forEach((outcome, count) -> meters.add(FunctionCounter.builder(MESSAGES_COUNTER, recorder, count)
                .tags(tags).tag("outcome", outcome).baseUnit("messages")
                .description("Messages seen by the latency recorder, by outcome").register(registry)));
        for (Stage s : Stage.values()) {
            meters.add(FunctionCounter.builder(CLAMPS_COUNTER, recorder, r -> r.counts().clamps(s))
                    .tags(tags).tag("stage", s.label())
                    .description("Boundaries moved beyond their resolution at the end of this stage (clock offset"
                            + " or estimation error)").register(registry));
        }
        producerTimers = append(producerTimers, timer(registry, PRODUCER_TIMER, Tags.empty(),
                "Producer latency: send to acknowledgement"));
        for (int segment = 0; segment < timers.length(); segment++) {
            Timer[] ts = timers.get(segment);
            if (ts != null) {
                timers.set(segment, append(ts, segmentTimer(registry, segment)));
            }
        }
        if (registered.size() == 1) {
            recorder.addListener(listener);
        }
    }

    private static Timer[] append(Timer[] ts, Timer t) {
        Timer[] more = java.util.Arrays.copyOf(ts, ts.length + 1);
        more[ts.length] = t;
        return more;
    }

    private void record(int segment, long micros) {
        Timer[] ts = timers.get(segment);
        if (ts == null) {
            ts = createTimers(segment);
        }
        for (Timer t : ts) {
            t.record(Math.max(0, micros), TimeUnit.MICROSECONDS);
        }
    }

    /** Registers the timer of a segment in every bound registry on its first value (none once closed). */
    private synchronized Timer[] createTimers(int segment) {
        Timer[] ts = timers.get(segment);
        if (ts == null) {
            if (registered.isEmpty()) {
                return NONE; // closed, or not bound yet: nothing to feed
            }
            ts = NONE;
            for (MeterRegistry registry : registered.keySet()) {
                ts = append(ts, segmentTimer(registry, segment));
            }
            timers.set(segment, ts);
        }
        return ts;
    }

    private Timer segmentTimer(MeterRegistry registry, int segment) {
        if (segment == 0 || segment == E2E_INTENDED) {
            return timer(registry, END_TO_END_TIMER, Tags.of("from", segment == 0 ? "send" : "intended"),
                    "End-to-end message latency, from the send (from=send) or from the intended send instant of"
                            + " paced load (from=intended)");
        }
        String stage = List.of(Stage.values()).subList(segment / 6, segment % 6).stream().map(Stage::label)
                .collect(Collectors.joining("+"));
        return timer(registry, STAGE_TIMER, Tags.of("stage", stage),
                "Message latency by stage; the stages of a message add up to its end-to-end latency");
    }

    private Timer timer(MeterRegistry registry, String name, Tags extra, String description) {
        Timer.Builder b = Timer.builder(name).tags(tags).tags(extra).description(description)
                .publishPercentileHistogram(percentileHistogram);
        if (slos.length > 0) {
            b.serviceLevelObjectives(slos);
        }
        Timer t = b.register(registry);
        registered.get(registry).add(t);
        return t;
    }

    /** Stops feeding the meters and removes every meter this binder registered, from every registry. */
    @Override
    public synchronized void close() {
        recorder.removeListener(listener);
        registered.forEach((registry, meters) -> meters.forEach(registry::remove));
        registered.clear();
        for (int i = 0; i < timers.length(); i++) {
            timers.set(i, null);
        }
        producerTimers = NONE;
    }
    /** Settings of {@link LatencyMeters}. */
    public static final class Builder {
        private final LatencyRecorder recorder;
        private Tags tags = Tags.empty();
        private boolean percentileHistogram;
        private Duration[] slos = new Duration[0];

        private Builder(LatencyRecorder recorder) {
            this.recorder = Objects.requireNonNull(recorder, "recorder");
        }

        /** Tag {@code messaging.system}, e.g. {@code kafka}. */
        public Builder system(String system) {
            return tags(Tags.of("messaging.system", system));
        }

        /** Tag {@code messaging.destination.name}, the topic or queue. */
        public Builder destination(String destination) {
            return tags(Tags.of("messaging.destination.name", destination));
        }

        /** More tags on every meter. */
        public Builder tags(Iterable<Tag> more) {
            this.tags = this.tags.and(more);
            return this;
        }

        /** Publish a percentile histogram for every timer (about 70 more time series each). Default off. */
        public Builder publishPercentileHistogram(boolean publish) {
            this.percentileHistogram = publish;
            return this;
        }

        /** Publish SLO buckets at these boundaries for every timer (one time series each). Default none. */
        public Builder serviceLevelObjectives(Duration... boundaries) {
            this.slos = boundaries.clone();
            return this;
        }

        public LatencyMeters build() {
            return new LatencyMeters(this);
        }
    }
}
