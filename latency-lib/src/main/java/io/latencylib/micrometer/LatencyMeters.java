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
 *   <li>Timer {@code messaging.latency}, tag {@code stage}: {@code end-to-end},
 *       {@code end-to-end-from-intended} (paced load), {@code produce}, {@code publish},
 *       {@code commit}, {@code catch-up}, {@code fetch}, or a merged stage such as
 *       {@code publish+commit} when a boundary is not observed;</li>
 *   <li>Timer {@code messaging.producer.latency}: send → acknowledgement;</li>
 *   <li>FunctionCounter {@code messaging.latency.messages}, tag {@code outcome}: sent, received,
 *       lost, duplicated, reordered, unstamped, evicted, send-error;</li>
 *   <li>FunctionCounter {@code messaging.latency.clamps}, tag {@code stage}: clamps at the end of each stage.</li>
 * </ul>
 * That is at most 10 timers and 13 counters per binder (one binder per recorder; use one recorder
 * per destination for per-destination meters). Percentile histograms and SLO buckets multiply the
 * time series of every timer (a histogram is ~70 buckets) and are off unless asked for.
 *
 * <p>The timers are fed by the recorder itself as it records each message (no second measurement),
 * so the end-to-end timer's count equals the report's received and joined messages; the counters
 * read the recorder's own counters.
 */
public final class LatencyMeters implements MeterBinder, AutoCloseable {

    private static final int SEGMENTS = 36;
    private static final int E2E_INTENDED = 36;

    private final LatencyRecorder recorder;
    private final Tags tags;
    private final boolean percentileHistogram;
    private final Duration[] slos;
    private final List<Meter> registered = new ArrayList<>();
    private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(SEGMENTS + 1);
    private volatile Timer producerTimer;
    private MeterRegistry registry;
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
            Timer t = producerTimer;
            if (t != null) {
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

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (this.registry != null) {
            throw new IllegalStateException("these LatencyMeters are already bound; close() them first");
        }
        this.registry = Objects.requireNonNull(registry, "registry");
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
        outcomes.forEach((outcome, count) -> registered.add(FunctionCounter.builder("messaging.latency.messages",
                        recorder, count)
                .tags(tags).tag("outcome", outcome).baseUnit("messages")
                .description("Messages seen by the latency recorder, by outcome").register(registry)));
        for (Stage s : Stage.values()) {
            registered.add(FunctionCounter.builder("messaging.latency.clamps", recorder, r -> r.counts().clamps(s))
                    .tags(tags).tag("stage", s.label())
                    .description("Boundaries moved beyond their resolution at the end of this stage (clock offset"
                            + " or estimation error)").register(registry));
        }
        producerTimer = timer("messaging.producer.latency", Tags.empty(), "Producer latency: send to acknowledgement");
        recorder.addListener(listener);
    }

    private void record(int segment, long micros) {
        Timer t = timers.get(segment);
        if (t == null && (t = createTimer(segment)) == null) {
            return; // closed
        }
        t.record(Math.max(0, micros), TimeUnit.MICROSECONDS);
    }

    /** Registers the timer of a segment on its first value; null once closed. */
    private synchronized Timer createTimer(int segment) {
        Timer t = timers.get(segment);
        if (t == null && registry != null) {
            String stage = segment == 0 ? "end-to-end" : segment == E2E_INTENDED ? "end-to-end-from-intended"
                    : List.of(Stage.values()).subList(segment / 6, segment % 6).stream().map(Stage::label)
                    .collect(Collectors.joining("+"));
            t = timer("messaging.latency", Tags.of("stage", stage), "Message latency by stage");
            timers.set(segment, t);
        }
        return t;
    }

    private Timer timer(String name, Tags extra, String description) {
        Timer.Builder b = Timer.builder(name).tags(tags).tags(extra).description(description)
                .publishPercentileHistogram(percentileHistogram);
        if (slos.length > 0) {
            b.serviceLevelObjectives(slos);
        }
        Timer t = b.register(registry);
        registered.add(t);
        return t;
    }

    /** Stops feeding the meters and removes every meter this binder registered. */
    @Override
    public synchronized void close() {
        recorder.removeListener(listener);
        if (registry != null) {
            registered.forEach(registry::remove);
        }
        registered.clear();
        for (int i = 0; i < timers.length(); i++) {
            timers.set(i, null);
        }
        producerTimer = null;
        registry = null;
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
