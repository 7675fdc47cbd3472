package io.latencylib.slo;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Checks objectives on what a {@link LatencyRecorder} measures. Objectives over the whole run are
 * evaluated on the final report; objectives that must hold "in every window" are evaluated window by
 * window while the run goes on (only the verdicts are kept, so memory stays bounded however long the
 * run), and the worst window is reported.
 *
 * <pre>{@code
 * try (SloCheck check = SloCheck.start(recorder, Slo.parseAll("p99 < 50ms", "p99 < 80ms in every 10s window"))) {
 *     ... traffic ...
 *     List<Verdict> verdicts = check.finish();
 *     String failure = SloCheck.failureMessage(verdicts);   // null when every objective held
 * }
 * }</pre>
 */
public final class SloCheck implements AutoCloseable {

    private final LatencyRecorder recorder;
    private final List<Slo> slos;
    private final Map<Duration, LatencyRecorder.IntervalReader> readers = new HashMap<>();
    private final Map<Slo, WindowVerdicts> windowed = new LinkedHashMap<>();
    private final ScheduledExecutorService timer;
    private List<Verdict> result;

    private SloCheck(LatencyRecorder recorder, List<Slo> slos) {
        this.recorder = recorder;
        this.slos = List.copyOf(slos);
        for (Slo slo : slos) {
            slo.window().ifPresent(w -> {
                readers.computeIfAbsent(w, x -> recorder.newIntervalReader());
                windowed.put(slo, new WindowVerdicts());
            });
        }
        if (readers.isEmpty()) {
            timer = null;
        } else {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "latency-slo-windows");
                t.setDaemon(true);
                return t;
            });
            readers.forEach((window, reader) -> timer.scheduleAtFixedRate(() -> closeWindow(window, reader),
                    window.toNanos(), window.toNanos(), TimeUnit.NANOSECONDS));
        }
    }

    /** Starts checking {@code slos} on what {@code recorder} measures from now on. */
    public static SloCheck start(LatencyRecorder recorder, List<Slo> slos) {
        return new SloCheck(recorder, slos);
    }

    /**
     * Evaluates objectives over the whole of {@code report}. Objectives with a window need the run's
     * windows: use {@link #start} for them; here they fail with a message saying so.
     */
    public static List<Verdict> evaluate(List<Slo> slos, LatencyReport report) {
        List<Verdict> verdicts = new ArrayList<>();
        for (Slo slo : slos) {
            verdicts.add(slo.window().isPresent()
                    ? new Verdict(slo, false, Double.NaN, "\"" + slo + "\" must be checked window by window while the"
                    + " run goes on: use SloCheck.start(recorder, slos) before the traffic", Optional.empty())
                    : slo.evaluate(report));
        }
        return verdicts;
    }

    /** @return null when every verdict passed; otherwise the violations, one paragraph each */
    public static String failureMessage(List<Verdict> verdicts) {
        String failures = verdicts.stream().filter(v -> !v.passed()).map(Verdict::message)
                .collect(Collectors.joining("\n\n"));
        return failures.isEmpty() ? null : failures;
    }

    private synchronized void closeWindow(Duration window, LatencyRecorder.IntervalReader reader) {
        if (result != null) {
            return;
        }
        LatencyReport report = reader.next();
        windowed.forEach((slo, verdicts) -> {
            if (slo.window().orElseThrow().equals(window)) {
                verdicts.add(slo, report);
            }
        });
    }

    /** Closes the last windows and evaluates every objective. Idempotent. */
    public synchronized List<Verdict> finish() {
        if (result != null) {
            return result;
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        readers.forEach(this::closeWindow);
        LatencyReport whole = recorder.report();
        List<Verdict> verdicts = new ArrayList<>();
        for (Slo slo : slos) {
            verdicts.add(slo.window().isPresent() ? windowed.get(slo).verdict(slo, whole) : slo.evaluate(whole));
        }
        readers.values().forEach(LatencyRecorder.IntervalReader::close);
        result = List.copyOf(verdicts);
        return result;
    }

    @Override
    public void close() {
        finish();
    }

    /** The verdicts of one windowed objective: how many windows, how many failed, the worst. */
    private static final class WindowVerdicts {
        int windows;
        int failed;
        int empty;
        Verdict worst;

        void add(Slo slo, LatencyReport window) {
            if (window.endToEnd().count() == 0 && window.counts().received() == 0) {
                empty++;
                return;
            }
            windows++;
            Verdict v = slo.evaluate(window);
            if (!v.passed()) {
                failed++;
                if (worst == null || worst.passed() || worse(slo, v, worst)) {
                    worst = v;
                }
            } else if (worst == null || (worst.passed() && worse(slo, v, worst))) {
                worst = v;
            }
        }

        private static boolean worse(Slo slo, Verdict a, Verdict b) {
            if (Double.isNaN(b.measured())) {
                return true;
            }
            return slo.higherIsWorse() ? a.measured() > b.measured() : a.measured() < b.measured();
        }

        Verdict verdict(Slo slo, LatencyReport whole) {
            if (windows == 0) {
                return new Verdict(slo, false, Double.NaN, "SLO violated: " + slo + " -- no window measured any message"
                        + " (" + empty + " empty windows)", Optional.empty());
            }
            if (failed == 0) {
                return new Verdict(slo, true, worst.measured(), null, Optional.empty());
            }
            return new Verdict(slo, false, worst.measured(), worst.message().replaceFirst("SLO violated: ",
                    "SLO violated in " + failed + " of " + windows + " windows, worst shown: "), worst.stageAtFault());
        }
    }
}
