package io.latencylib.junit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Where per-test reports go: {@code target/latency-reports/<test class>/<display name>.txt}. Internal. */
public final class ReportFiles {

    /** JUnit configuration parameter or system property: the directory of the reports (default {@code target/latency-reports}). */
    public static final String DIRECTORY_PROPERTY = "latency.reports.dir";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create("io.latencylib.junit", "reports");

    private ReportFiles() {
    }

    /** Writes {@code content} to this test's report file (a name unique in the run) and returns its path. */
    static Path write(ExtensionContext context, String content) {
        Path base = context.getConfigurationParameter(DIRECTORY_PROPERTY).filter(s -> !s.isBlank()).map(Path::of)
                .orElse(Path.of("target", "latency-reports"));
        Path dir = base.resolve(sanitize(context.getRequiredTestClass().getName())).toAbsolutePath().normalize();
        @SuppressWarnings("unchecked")
        Set<Path> written = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("written", k -> ConcurrentHashMap.newKeySet(), Set.class);
        String name = sanitize(testName(context));
        Path file = dir.resolve(name + ".txt");
        for (int i = 2; !written.add(file); i++) {
            file = dir.resolve(name + "-" + i + ".txt"); // another test of the run with the same display name
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the latency report " + file, e);
        }
        return file;
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
