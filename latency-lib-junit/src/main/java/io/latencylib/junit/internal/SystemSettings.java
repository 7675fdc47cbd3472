package io.latencylib.junit.internal;

import io.latencylib.junit.spi.Settings;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The settings of one system: {@code latency.<system>.<key>} as JUnit configuration parameter (which
 * falls back to the system property of that name), else the environment variable
 * {@code LATENCY_<SYSTEM>_<KEY>}. Internal.
 */
public final class SystemSettings implements Settings {

    private final String system;
    private final Function<String, Optional<String>> parameters;
    private final Function<String, String> environment;

    /**
     * @param parameters  reads a JUnit configuration parameter (or system property) by full name
     * @param environment reads an environment variable by name ({@link System#getenv(String)})
     */
    public SystemSettings(String system, Function<String, Optional<String>> parameters,
                          Function<String, String> environment) {
        this.system = system;
        this.parameters = parameters;
        this.environment = environment;
    }

    @Override
    public Optional<String> get(String key) {
        Optional<String> p = parameters.apply(property(key)).map(String::trim).filter(s -> !s.isEmpty());
        if (p.isPresent()) {
            return p;
        }
        return Optional.ofNullable(environment.apply(variable(key))).map(String::trim).filter(s -> !s.isEmpty());
    }

    /** @return where {@code key} was read from ({@code latency.kafka.bootstrap} or {@code LATENCY_KAFKA_BOOTSTRAP}), or null */
    public String source(String key) {
        if (parameters.apply(property(key)).filter(s -> !s.isBlank()).isPresent()) {
            return property(key);
        }
        String v = environment.apply(variable(key));
        return v != null && !v.isBlank() ? variable(key) : null;
    }

    /** @return {@code latency.<system>.<key>} */
    public String property(String key) {
        return "latency." + system + "." + key;
    }

    /** @return {@code LATENCY_<SYSTEM>_<KEY>}: dots and dashes as underscores, upper case */
    public String variable(String key) {
        return ("LATENCY_" + system + "_" + key).replaceAll("[.\\-]", "_").toUpperCase(Locale.ROOT);
    }

    /** @return true when {@code key} is set to {@code true} (any case) */
    public boolean isTrue(String key) {
        return get(key).map(v -> v.equalsIgnoreCase("true")).orElse(false);
    }
}
