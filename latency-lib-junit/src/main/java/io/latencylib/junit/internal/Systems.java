package io.latencylib.junit.internal;

import io.latencylib.junit.LatencySession;
import io.latencylib.junit.spi.LatencySystemProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The messaging systems on the test classpath ({@link LatencySystemProvider}s found by service
 * loading) and which one a test uses. Internal.
 */
public final class Systems {

    /** The adapter artifact that brings each known system's provider, for error messages. */
    private static final Map<String, String> ADAPTERS = Map.of(
            "kafka", "io.latencylib:latency-lib-kafka",
            "pulsar", "io.latencylib:latency-lib-pulsar",
            "rabbitmq", "io.latencylib:latency-lib-rabbitmq");

    private static volatile List<LatencySystemProvider> installed;

    private Systems() {
    }

    /** @return the providers on the test classpath, loaded once, in a stable order (by system name) */
    public static List<LatencySystemProvider> installed() {
        List<LatencySystemProvider> p = installed;
        if (p == null) {
            synchronized (Systems.class) {
                p = installed;
                if (p == null) {
                    p = load();
                    installed = p;
                }
            }
        }
        return p;
    }

    private static List<LatencySystemProvider> load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = Systems.class.getClassLoader();
        }
        Map<String, LatencySystemProvider> bySystem = new java.util.TreeMap<>();
        try {
            for (LatencySystemProvider provider : ServiceLoader.load(LatencySystemProvider.class, loader)) {
                LatencySystemProvider before = bySystem.putIfAbsent(provider.system(), provider);
                if (before != null && before.getClass() != provider.getClass()) {
                    throw new ExtensionConfigurationException("two latency providers for system '" + provider.system()
                            + "' on the test classpath: " + before.getClass().getName() + " and "
                            + provider.getClass().getName() + "; keep one adapter of each system");
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new ExtensionConfigurationException("a latency system provider on the test classpath could not be"
                    + " loaded: " + e.getMessage(), e);
        }
        return List.copyOf(bySystem.values());
    }

    /** @return the provider whose session is of {@code type}, or null */
    public static LatencySystemProvider forSessionType(List<LatencySystemProvider> providers, Class<?> type) {
        LatencySystemProvider assignable = null;
        for (LatencySystemProvider p : providers) {
            if (p.sessionType() == type) {
                return p;
            }
            if (type.isAssignableFrom(p.sessionType()) && type != LatencySession.class) {
                assignable = p;
            }
        }
        return assignable;
    }

    /**
     * Chooses the system of a test: the one whose session type a parameter of the test method has;
     * else {@code annotated} (the nearest {@code @LatencySLO(system = ...)}); else the only one installed.
     *
     * @param parameterTypes the parameter types of the test method
     * @param annotated      the system named by the annotation, or null
     * @param where          the test, for messages
     * @throws ExtensionConfigurationException when none can be chosen, naming the systems found and the fix
     */
    public static LatencySystemProvider choose(List<LatencySystemProvider> providers, List<Class<?>> parameterTypes,
                                               String annotated, String where) {
        Map<String, LatencySystemProvider> byParameter = new LinkedHashMap<>();
        for (Class<?> type : parameterTypes) {
            if (type != LatencySession.class && LatencySession.class.isAssignableFrom(type)) {
                LatencySystemProvider p = forSessionType(providers, type);
                if (p != null) {
                    byParameter.putIfAbsent(p.system(), p);
                }
            }
        }
        if (byParameter.size() == 1) {
            return byParameter.values().iterator().next();
        }
        if (annotated != null) {
            for (LatencySystemProvider p : providers) {
                if (p.system().equals(annotated)) {
                    return p;
                }
            }
            throw new ExtensionConfigurationException(where + ": @LatencySLO(system = \"" + annotated + "\") but "
                    + (providers.isEmpty() ? "no latency system is on the test classpath"
                    : "the test classpath has only " + names(providers)) + "; add "
                    + ADAPTERS.getOrDefault(annotated, "the latency-lib adapter of " + annotated)
                    + " as a test dependency" + (ADAPTERS.containsKey(annotated) ? "" : " (known systems: "
                    + String.join(", ", new java.util.TreeSet<>(ADAPTERS.keySet())) + ")"));
        }
        if (byParameter.size() > 1) {
            throw new ExtensionConfigurationException(where + ": its parameters are sessions of several systems ("
                    + String.join(", ", byParameter.keySet()) + "); say which one paced load and LatencySession"
                    + " parameters use with @LatencySLO(system = \"" + byParameter.keySet().iterator().next() + "\")");
        }
        if (providers.size() == 1) {
            return providers.get(0);
        }
        if (providers.isEmpty()) {
            throw new ExtensionConfigurationException(where + ": no latency system is on the test classpath (no "
                    + LatencySystemProvider.class.getName() + " found by service loading); add the adapter of your"
                    + " broker as a test dependency: " + ADAPTERS.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getValue() + " (" + e.getKey() + ")").collect(Collectors.joining(", ")));
        }
        throw new ExtensionConfigurationException(where + ": several latency systems are on the test classpath ("
                + names(providers) + "); say which one with @LatencySLO(system = \"" + providers.get(0).system()
                + "\") or ask for its session by parameter type (" + providers.stream()
                .map(p -> p.sessionType().getSimpleName()).collect(Collectors.joining(", ")) + ")");
    }

    private static String names(List<LatencySystemProvider> providers) {
        Set<String> names = new LinkedHashSet<>();
        List<String> out = new ArrayList<>();
        for (LatencySystemProvider p : providers) {
            if (names.add(p.system())) {
                out.add(p.system());
            }
        }
        return String.join(", ", out);
    }
}
