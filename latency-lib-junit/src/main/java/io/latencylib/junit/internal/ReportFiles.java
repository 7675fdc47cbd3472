package io.latencylib.junit.internal;

import io.latencylib.LatencyReport;
import io.latencylib.load.LoadReport;
import io.latencylib.report.Environment;
import io.latencylib.report.LatencyReports;
import io.latencylib.report.LoadData;
import io.latencylib.report.ReportData;
import io.latencylib.slo.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Where per-test reports go: {@code target/latency-reports/<test class>/<display name>.txt}, with the
 * {@code .json} and the self-contained {@code .html} of the same report next to it. Internal.
 */
public final class ReportFiles {

    /** JUnit configuration parameter or system property: the directory of the reports (default {@code target/latency-reports}). */
    public static final String DIRECTORY_PROPERTY = "latency.reports.dir";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create("io.latencylib.junit", "reports");

    /** The three files of one test's report. */
    record Written(Path text, Path json, Path html) {
    }

    private ReportFiles() {
    }

    /**
     * @param intervals one report per second of the test, in order (rate and percentiles over time)
     * @return what the JSON and HTML files hold: the recorder's report (what the objectives were checked
     *     on), its intervals, the paced load's data if there was one, and the verdicts
     */
    static ReportData data(LatencyReport report, List<LatencyReport> intervals, LoadReport load,
                           List<Verdict> verdicts) {
        List<LatencyReport> measured = intervals.stream().filter(i -> i.end().isAfter(report.start())).toList();
        return new ReportData(Environment.current(), report,
                load == null ? Optional.empty() : Optional.of(LoadData.of(load)), measured, verdicts);
    }

    /** Writes this test's report files (names unique in the run) and returns their paths. */
    static Written write(ExtensionContext context, String text, ReportData data) {
        Path base = context.getConfigurationParameter(DIRECTORY_PROPERTY).filter(s -> !s.isBlank()).map(Path::of)
                .orElse(Path.of("target", "latency-reports"));
        Path dir = base.resolve(sanitize(context.getRequiredTestClass().getName())).toAbsolutePath().normalize();
        @SuppressWarnings("unchecked")
        Set<Path> written = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("written", k -> ConcurrentHashMap.newKeySet(), Set.class);
        String name = sanitize(testName(context));
        String unique = name;
        for (int i = 2; !written.add(dir.resolve(unique)); i++) {
            unique = name + "-" + i; // another test of the run with the same display name
        }
        Written files = new Written(dir.resolve(unique + ".txt"), dir.resolve(unique + ".json"),
                dir.resolve(unique + ".html"));
        try {
            Files.createDirectories(dir);
            Files.writeString(files.text(), text, StandardCharsets.UTF_8);
            LatencyReports.writeJson(data, files.json());
            LatencyReports.writeHtml(data, files.html());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the latency report " + files.text(), e);
        }
        return files;
    }

    /**
     * @return the display name; for an invocation of a parameterized or repeated test, the method's
     *     display name and the invocation's ({@code slow(int) [2] 1500}), so that invocations of
     *     different methods do not share a file
     */
    static String testName(ExtensionContext context) {
        Optional<AnnotatedElement> element = context.getElement();
        Optional<ExtensionContext> parent = context.getParent();
        if (element.isPresent() && parent.isPresent() && parent.get().getElement().equals(element)) {
            return parent.get().getDisplayName() + " " + context.getDisplayName();
        }
        return context.getDisplayName();
    }

    /** @return {@code text} as a file name: letters, digits, {@code . _ - $}, at most 120 characters */
    public static String sanitize(String text) {
        String s = text.replaceAll("[^A-Za-z0-9._$-]+", "_").replaceAll("^[_.]+|_+$", "");
        if (s.isEmpty()) {
            s = "test";
        }
        return s.length() > 120 ? s.substring(0, 120) : s;
    }
}
