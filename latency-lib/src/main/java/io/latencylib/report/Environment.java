package io.latencylib.report;

import io.latencylib.LatencyReport;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a report was made: library, JVM, operating system, processors and the kafka-clients version.
 *
 * @param libraryVersion      the jar's {@code Implementation-Version}, or {@code dev} when it has none
 * @param javaVersion         {@code java.version}
 * @param javaVendor          {@code java.vendor}
 * @param osName              {@code os.name}
 * @param osVersion           {@code os.version}
 * @param osArch              {@code os.arch}
 * @param availableProcessors {@link Runtime#availableProcessors()}
 * @param kafkaClientsVersion the version of kafka-clients on the class path, when there is one
 */
public record Environment(String libraryVersion, String javaVersion, String javaVendor, String osName,
                          String osVersion, String osArch, int availableProcessors,
                          Optional<String> kafkaClientsVersion) {

    public Environment {
        Objects.requireNonNull(libraryVersion, "libraryVersion");
        Objects.requireNonNull(javaVersion, "javaVersion");
        Objects.requireNonNull(javaVendor, "javaVendor");
        Objects.requireNonNull(osName, "osName");
        Objects.requireNonNull(osVersion, "osVersion");
        Objects.requireNonNull(osArch, "osArch");
        Objects.requireNonNull(kafkaClientsVersion, "kafkaClientsVersion");
    }

    /** @return the environment of this JVM */
    public static Environment current() {
        String version = LatencyReport.class.getPackage().getImplementationVersion();
        return new Environment(version == null || version.isBlank() ? "dev" : version,
                System.getProperty("java.version", "unknown"), System.getProperty("java.vendor", "unknown"),
                System.getProperty("os.name", "unknown"), System.getProperty("os.version", "unknown"),
                System.getProperty("os.arch", "unknown"), Runtime.getRuntime().availableProcessors(),
                detectKafkaClientsVersion());
    }

    /** kafka-clients is optional here: its version is read reflectively, and only when the class is there. */
    private static Optional<String> detectKafkaClientsVersion() {
        try {
            Class<?> info = Class.forName("org.apache.kafka.common.utils.AppInfoParser", false,
                    Environment.class.getClassLoader());
            Object version = info.getMethod("getVersion").invoke(null);
            return version == null || "unknown".equals(version) ? Optional.empty() : Optional.of(version.toString());
        } catch (ReflectiveOperationException | LinkageError | RuntimeException absent) {
            return Optional.empty();
        }
    }
}
