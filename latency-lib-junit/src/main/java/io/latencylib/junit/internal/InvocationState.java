package io.latencylib.junit.internal;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.StageStats;
import io.latencylib.kafka.KafkaLoadDriver;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.Schedule;
import io.latencylib.slo.SloCheck;
import io.latencylib.slo.Verdict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything of one test invocation: its recorder, session, objectives, SLO check and load report.
 * Kept in the invocation's own (method-level) {@link ExtensionContext.Store}, so parameterized,
 * repeated, nested and parallel tests never share one; JUnit closes it after the invocation.
 * Every step runs once even if the extension is registered twice (annotation and auto-detection).
 * Internal.
 */
public final class InvocationState implements ExtensionContext.Store.CloseableResource {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.junit");
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create("io.latencylib.junit", "invocation");

    private final ExtensionContext context;
    private final LatencyRecorder recorder = LatencyRecorder.create();
    private final Session session;
    private final AtomicBoolean activated = new AtomicBoolean();
    private final AtomicBoolean loaded = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Broker broker;
    private volatile TestSpec spec = new TestSpec(List.of(), null);
    private volatile SloCheck check;
    private volatile LoadReport loadReport;

    private InvocationState(ExtensionContext context) {
        this.context = context;
        this.session = new Session(recorder, this::broker, () -> loadReport, ReportFiles.testName(context));
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

    public Session session() {
        return session;
    }

    private Broker broker() {
        Broker b = broker;
        if (b == null) {
            b = BrokerProvisioning.broker(context);
            broker = b;
        }
        return b;
    }

    /** Takes the test's objectives and starts checking them (before the body, so windows work). Once. */
    public void activate(TestSpec spec) {
        if (!activated.compareAndSet(false, true)) {
            return;
        }
        this.spec = spec;
        if (!spec.objectives().isEmpty()) {
            check = SloCheck.start(recorder, spec.objectives());
        }
    }

    /** Drives the paced load of the annotation, if any, into the test's recorder. Once. */
    public void driveLoad() {
        TestSpec.Load load = spec.load();
        if (load == null || !loaded.compareAndSet(false, true)) {
            return;
        }
        String bootstrap = broker().bootstrapServers();
        log.info("latency-lib-junit: {}: paced load of {} msg/s for {} after a warm-up of {}, {} B messages",
                context.getDisplayName(), load.rate(), load.duration(), load.warmUp(), load.messageSize());
        loadReport = LoadRun.builder(KafkaLoadDriver.create(bootstrap))
                .destination(session.freshName())
                .schedule(Schedule.constant(load.rate(), load.duration()))
                .warmUp(load.warmUp())
                .messageSize(load.messageSize())
                .recorder(recorder)
                .run();
    }

    /**
     * Evaluates the objectives on what the test measured, writes the report file, publishes the
     * report entries, and fails the test with the violations. Once.
     */
    public void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        List<Verdict> verdicts = check == null ? List.of() : check.finish();
        LatencyReport report = recorder.report();
        LatencyReport.Counts c = report.counts();
        boolean measured = c.sent() > 0 || c.received() > 0 || c.unstamped() > 0;
        if (verdicts.isEmpty() && !measured && loadReport == null) {
            return; // a test that only asked for a session and sent nothing: nothing to report
        }
        String failure = SloCheck.failureMessage(verdicts);
        Map<String, String> entry = new LinkedHashMap<>();
        if (!verdicts.isEmpty()) {
            entry.put("latency.slo", verdicts.stream().map(Verdict::toString).collect(Collectors.joining("; ")));
        }
        entry.put("latency.summary", summary(report));
        if (loadReport != null) {
            entry.put("latency.load", String.format(Locale.ROOT, "target %.1f msg/s, achieved %.1f msg/s, %d sent%s",
                    loadReport.targetRate(), loadReport.achievedRate(), loadReport.sent(),
                    loadReport.drained() ? "" : ", NOT DRAINED"));
        }
        if (broker != null) {
            entry.put("latency.kafka", broker.description());
        }
        try {
            Path file = ReportFiles.write(context, content(report, verdicts, failure));
            entry.put("latency.report", "written to " + file);
        } catch (RuntimeException e) {
            log.warn("latency-lib-junit: could not write the report of {}", context.getDisplayName(), e);
            entry.put("latency.report", "not written: " + e.getMessage());
        }
        context.publishReportEntry(entry);
        if (failure != null && !(context.getExecutionException().orElse(null) instanceof TestAbortedException)) {
            throw new AssertionError(failure);
        }
    }

    private String content(LatencyReport report, List<Verdict> verdicts, String failure) {
        StringBuilder out = new StringBuilder();
        out.append("test: ").append(ReportFiles.testName(context)).append('\n');
        out.append("class: ").append(context.getRequiredTestClass().getName()).append('\n');
        out.append("id: ").append(context.getUniqueId()).append('\n');
        if (broker != null) {
            out.append("broker: ").append(broker.description()).append('\n');
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

    @Override
    public void close() {
        try {
            SloCheck c = check;
            if (c != null) {
                c.close();
            }
        } finally {
            session.close();
        }
    }
}
