package io.latencylib.junit.internal;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.StageStats;
import io.latencylib.junit.LatencySession;
import io.latencylib.junit.spi.LatencySystemProvider;
import io.latencylib.junit.spi.SessionContext;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.Schedule;
import io.latencylib.slo.SloCheck;
import io.latencylib.slo.Verdict;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.opentest4j.TestAbortedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything of one test invocation: its recorder, sessions, objectives, SLO check and load report.
 * Kept in the invocation's own (method-level) {@link ExtensionContext.Store}, so parameterized,
 * repeated, nested and parallel tests never share one; JUnit closes it after the invocation (after
 * {@code @AfterEach} methods). Every step runs once even if the extension is registered twice.
 * Internal.
 */
public final class InvocationState implements ExtensionContext.Store.CloseableResource {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.junit");
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create("io.latencylib.junit", "invocation");
    private static final AtomicLong COUNTER = new AtomicLong();
    /** Reads every running test's intervals, once a second; one daemon thread for the whole run. */
    private static final ScheduledThreadPoolExecutor SAMPLER = sampler();

    private final ExtensionContext context;
    private final LatencyRecorder recorder = LatencyRecorder.create();
    private final String namePrefix;
    private final AtomicBoolean activated = new AtomicBoolean();
    private final AtomicBoolean loaded = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    /** system → its run broker, in the order the test first used them */
    private final Map<String, RunBroker> brokers = new LinkedHashMap<>();
    private final Map<String, LatencySession> sessions = new LinkedHashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private volatile TestSpec spec = TestSpec.NONE;
    private volatile LatencySystemProvider primary;
    private volatile SloCheck check;
    private volatile LoadReport loadReport;
    private volatile Instant measuredFrom;
    /** One report per second of the test, for the report files' charts over time. */
    private final List<LatencyReport> intervals = new ArrayList<>();
    private volatile LatencyRecorder.IntervalReader intervalReader;
    private volatile ScheduledFuture<?> sampling;

    private InvocationState(ExtensionContext context) {
        this.context = context;
        String clean = ReportFiles.testName(context).replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "");
        this.namePrefix = "latency-" + (clean.length() > 60 ? clean.substring(0, 60) : clean);
    }

    /** @return the state of the invocation of {@code context} (a method-level context), made on first use */
    public static InvocationState of(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(InvocationState.class,
                k -> new InvocationState(context), InvocationState.class);
    }

    /** @return the state of the invocation, or null when the extension has nothing to do for it */
    public static InvocationState find(ExtensionContext context) {
        return context.getStore(NAMESPACE).get(InvocationState.class, InvocationState.class);
    }

    /**
     * Takes the test's objectives and starts checking them (before the body, so windows work); when
     * the test asks for a session or paced load, provisions the run's broker of its system now, so
     * that no test body pays for it. Once.
     */
    public void activate(TestSpec spec) {
        if (!activated.compareAndSet(false, true)) {
            return;
        }
        this.spec = spec;
        Method method = context.getRequiredTestMethod();
        List<LatencySystemProvider> installed = Systems.installed();
        for (Class<?> type : method.getParameterTypes()) {
            if (type != LatencySession.class && LatencySession.class.isAssignableFrom(type)) {
                LatencySystemProvider p = Systems.forSessionType(installed, type);
                if (p != null) {
                    broker(p);
                }
            }
        }
        if (spec.load() != null || Arrays.asList(method.getParameterTypes()).contains(LatencySession.class)) {
            broker(primary());
        }
        recorder.reset(); // nothing recorded yet: the report's time starts now, not before a broker started
        if (!spec.objectives().isEmpty()) {
            check = SloCheck.start(recorder, spec.objectives());
        }
        intervalReader = recorder.newIntervalReader();
        sampling = SAMPLER.scheduleAtFixedRate(this::sampleInterval, 1, 1, TimeUnit.SECONDS);
    }

    private static ScheduledThreadPoolExecutor sampler() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "latency-junit-intervals");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        return e;
    }

    private void sampleInterval() {
        LatencyRecorder.IntervalReader reader = intervalReader;
        if (reader != null) {
            synchronized (intervals) {
                intervals.add(reader.next());
            }
        }
    }

    /** Stops reading intervals; the last (partial) one is read first. */
    private List<LatencyReport> stopSampling(boolean readLast) {
        ScheduledFuture<?> s = sampling;
        if (s != null) {
            s.cancel(false);
        }
        synchronized (intervals) {
            LatencyRecorder.IntervalReader reader = intervalReader;
            if (reader != null) {
                if (readLast) {
                    intervals.add(reader.next());
                }
                reader.close();
                intervalReader = null;
            }
            return List.copyOf(intervals);
        }
    }

    /** @return the system of the test (see {@link Systems#choose}) */
    private LatencySystemProvider primary() {
        LatencySystemProvider p = primary;
        if (p == null) {
            p = Systems.choose(Systems.installed(), List.of(context.getRequiredTestMethod().getParameterTypes()),
                    spec.system(), where());
            primary = p;
        }
        return p;
    }

    private String where() {
        Method m = context.getRequiredTestMethod();
        return m.getDeclaringClass().getSimpleName() + "." + m.getName() + "()";
    }

    private RunBroker broker(LatencySystemProvider provider) {
        synchronized (brokers) {
            RunBroker b = brokers.get(provider.system());
            if (b == null) {
                b = RunBroker.of(context, provider);
                brokers.put(provider.system(), b);
            }
            return b;
        }
    }

    /**
     * @param type {@link LatencySession} (the test's system) or a provider's session type
     * @return the invocation's session of that system, opened on first use
     */
    public LatencySession session(Class<?> type) {
        LatencySystemProvider provider;
        if (type == LatencySession.class) {
            provider = primary();
        } else {
            provider = Systems.forSessionType(Systems.installed(), type);
            if (provider == null) {
                throw new ParameterResolutionException(where() + ": no latency system on the test classpath gives a "
                        + type.getName() + " (found: " + Systems.installed().stream().map(p -> p.system() + " ("
                        + p.sessionType().getSimpleName() + ")").collect(Collectors.joining(", "))
                        + "); add the adapter of that system as a test dependency");
            }
        }
        RunBroker broker = broker(provider);
        synchronized (sessions) {
            LatencySession s = sessions.get(provider.system());
            if (s == null) {
                s = broker.broker().openSession(new Context(provider.system(), broker));
                if (!provider.sessionType().isInstance(s)) {
                    throw new ExtensionConfigurationException(provider.getClass().getName() + " opened a "
                            + (s == null ? "null session" : s.getClass().getName()) + ", not a "
                            + provider.sessionType().getName());
                }
                sessions.put(provider.system(), s);
            }
            return s;
        }
    }

    /** Drives the paced load of the annotation, if any, into the test's recorder. Once. */
    public void driveLoad() {
        TestSpec.Load load = spec.load();
        if (load == null || !loaded.compareAndSet(false, true)) {
            return;
        }
        RunBroker broker = broker(primary());
        log.info("latency-lib-junit: {}: paced load of {} msg/s on {} for {} after a warm-up of {}, {} B messages",
                context.getDisplayName(), load.rate(), primary().system(), load.duration(), load.warmUp(),
                load.messageSize());
        loadReport = LoadRun.builder(broker.broker().newLoadDriver())
                .destination(freshName())
                .schedule(Schedule.constant(load.rate(), load.duration()))
                .warmUp(load.warmUp())
                .messageSize(load.messageSize())
                .recorder(recorder)
                .run();
    }

    /**
     * Called right before the body runs (its parameters resolved): for a test driving its own traffic
     * with a warm-up, only messages sent from {@code now + warmUp} on are measured. Once.
     */
    public void bodyStarts() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        Duration warmUp = spec.ownWarmUp();
        if (spec.load() == null && !warmUp.isZero()) {
            long nowMicros = recorder.clock().nowMicros();
            Instant from = Instant.ofEpochSecond(0, (nowMicros + warmUp.toNanos() / 1000) * 1000);
            recorder.measureFrom(from);
            measuredFrom = from;
        }
    }

    /**
     * Evaluates the objectives on what the test measured, writes the report files, publishes the
     * report entries, and fails the test with the violations. Once.
     */
    public void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        List<Verdict> verdicts = check == null ? List.of() : check.finish();
        List<LatencyReport> perSecond = stopSampling(true);
        List<RunBroker> used;
        synchronized (brokers) {
            used = new ArrayList<>(brokers.values());
        }
        LatencyReport measured = recorder.report();
        LatencyReport.Counts c = measured.counts();
        boolean anything = c.sent() > 0 || c.received() > 0 || c.unstamped() > 0;
        if (verdicts.isEmpty() && !anything && loadReport == null) {
            return; // a test that only asked for a session and sent nothing: nothing to report
        }
        String failure = SloCheck.failureMessage(verdicts);
        if (failure != null && measuredFrom != null && !anything) {
            failure += " (the warm-up of " + spec.ownWarmUp() + " excluded every message the body sent before "
                    + measuredFrom + ": send for longer than the warm-up)";
        }
        for (RunBroker b : used) {
            recorder.note("broker (" + b.system() + "): " + b.description());
        }
        LatencyReport report = recorder.report();
        Map<String, String> entry = new LinkedHashMap<>();
        if (!verdicts.isEmpty()) {
            entry.put("latency.slo", verdicts.stream().map(Verdict::toString).collect(Collectors.joining("; ")));
        }
        entry.put("latency.summary", summary(report));
        if (measuredFrom != null) {
            entry.put("latency.warmup", "own traffic measured from " + spec.ownWarmUp() + " after the body started");
        }
        if (loadReport != null) {
            entry.put("latency.load", String.format(Locale.ROOT, "target %.1f msg/s, achieved %.1f msg/s, %d sent%s",
                    loadReport.targetRate(), loadReport.achievedRate(), loadReport.sent(),
                    loadReport.drained() ? "" : ", NOT DRAINED"));
        }
        for (RunBroker b : used) {
            entry.put("latency." + b.system(), b.description());
        }
        try {
            ReportFiles.Written files = ReportFiles.write(context, content(report, verdicts, failure, used),
                    ReportFiles.data(report, perSecond, loadReport, verdicts));
            entry.put("latency.report", "written to " + files.text() + " (also " + files.json().getFileName() + ", "
                    + files.html().getFileName() + ")");
        } catch (RuntimeException e) {
            log.warn("latency-lib-junit: could not write the report of {}", context.getDisplayName(), e);
            entry.put("latency.report", "not written: " + e.getMessage());
        }
        context.publishReportEntry(entry);
        if (failure != null && !(context.getExecutionException().orElse(null) instanceof TestAbortedException)) {
            throw new AssertionError(failure);
        }
    }

    private String content(LatencyReport report, List<Verdict> verdicts, String failure, List<RunBroker> used) {
        StringBuilder out = new StringBuilder();
        out.append("test: ").append(ReportFiles.testName(context)).append('\n');
        out.append("class: ").append(context.getRequiredTestClass().getName()).append('\n');
        out.append("id: ").append(context.getUniqueId()).append('\n');
        for (RunBroker b : used) {
            out.append("broker (").append(b.system()).append("): ").append(b.description()).append('\n');
        }
        if (measuredFrom != null) {
            out.append("warm-up: own traffic measured from ").append(spec.ownWarmUp())
                    .append(" after the body started (").append(measuredFrom).append(")\n");
        }
        context.getExecutionException().ifPresent(e -> out.append("test body failed: ").append(e).append('\n'));
        if (!verdicts.isEmpty()) {
            out.append("\nobjectives:\n");
            verdicts.forEach(v -> out.append("  ").append(v).append('\n'));
            if (failure != null) {
                out.append('\n').append(failure).append('\n');
            }
        }
        if (loadReport != null) {
            out.append("\npaced load driven by @LatencySLO:\n").append(loadReport.toTable());
            out.append("\neverything the test's recorder measured (what the objectives were checked on):\n");
        } else {
            out.append('\n');
        }
        out.append(report.toTable());
        return out.toString();
    }

    private static String summary(LatencyReport report) {
        LatencyReport.Counts c = report.counts();
        StageStats e2e = report.endToEndFromIntended().orElse(report.endToEnd());
        String latency = e2e.count() == 0 ? "no end-to-end latency measured" : String.format(Locale.ROOT,
                "end-to-end%s p50 %.3f ms, p99 %.3f ms, max %.3f ms",
                report.endToEndFromIntended().isPresent() ? " (from intended send)" : "", ms(e2e.p50()), ms(e2e.p99()),
                ms(e2e.max()));
        return String.format(Locale.ROOT, "%d sent, %d received, lost %d, duplicated %d in %.1f s; %s", c.sent(),
                c.received(), c.lost(), c.duplicated(), report.duration().toMillis() / 1000.0, latency);
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    /** @return a name no other destination of this run has, derived from the test's name */
    String freshName() {
        String name = namePrefix + "-" + COUNTER.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
        return name.length() > 100 ? name.substring(name.length() - 100) : name;
    }

    @Override
    public void close() {
        stopSampling(false);
        try {
            SloCheck c = check;
            if (c != null) {
                c.close();
            }
        } finally {
            List<AutoCloseable> toClose;
            synchronized (closeables) {
                toClose = new ArrayList<>(closeables);
                closeables.clear();
            }
            for (int i = toClose.size() - 1; i >= 0; i--) {
                try {
                    toClose.get(i).close();
                } catch (Exception e) {
                    log.warn("latency-lib-junit: closing {} after {} failed", toClose.get(i), context.getDisplayName(), e);
                }
            }
        }
    }

    /** What a provider's broker gets to open this invocation's session of one system. */
    private final class Context implements SessionContext {
        private final String system;
        private final RunBroker broker;

        Context(String system, RunBroker broker) {
            this.system = system;
            this.broker = broker;
        }

        @Override
        public LatencyRecorder recorder() {
            return recorder;
        }

        @Override
        public String freshName() {
            return InvocationState.this.freshName();
        }

        @Override
        public LoadRun.Builder load() {
            return LoadRun.builder(broker.broker().newLoadDriver()).recorder(recorder).destination(freshName());
        }

        @Override
        public Optional<LoadReport> loadReport() {
            return Optional.ofNullable(loadReport);
        }

        @Override
        public void onClose(AutoCloseable resource) {
            synchronized (closeables) {
                closeables.add(java.util.Objects.requireNonNull(resource, "resource"));
            }
        }

        @Override
        public String toString() {
            return "SessionContext[" + system + ", " + namePrefix + "]";
        }
    }
}
