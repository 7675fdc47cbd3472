package io.latencylib.spring.boot;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.micrometer.LatencyMeters;
import io.latencylib.slo.Slo;
import io.latencylib.slo.SloCheck;
import io.latencylib.slo.Verdict;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.PatternMatchUtils;

/**
 * The recorders of an application, one per destination (topic, queue) and messaging system, made on
 * the first message to or from that destination, each with its {@link LatencyMeters}. A Micrometer
 * {@link MeterBinder}: Spring Boot binds it to every {@code MeterRegistry}, and it binds the meters of
 * each destination, present and future, to all of them.
 */
public final class LatencyRecorders implements MeterBinder, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LatencyRecorders.class);

    /** Gauge of latency.slos per destination: 1 while the objective holds, else 0; tag {@code slo}. */
    public static final String SLO_GAUGE = "messaging.latency.slo";

    /** A measured destination: its recorder and meters. */
    public record Destination(String system, String name, LatencyRecorder recorder) {
    }

    private final LatencyProperties properties;
    private final List<Slo> slos;
    private final Map<String, Destination> destinations = new ConcurrentHashMap<>();
    private final Map<String, LatencyMeters> meters = new ConcurrentHashMap<>();
    private final List<MeterRegistry> registries = new ArrayList<>();
    private final List<Runnable> removals = new ArrayList<>();
    private final AtomicBoolean overLimitLogged = new AtomicBoolean();

    public LatencyRecorders(LatencyProperties properties) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.slos = Slo.parseAll(properties.getSlos().toArray(String[]::new));
        if (properties.getMaxDestinations() < 1) {
            throw new IllegalArgumentException("latency.max-destinations must be at least 1, was "
                    + properties.getMaxDestinations() + "; to measure nothing set latency.enabled=false");
        }
    }

    /** Whether messages to or from this destination are measured (latency.destinations.include/exclude). */
    public boolean measures(String destination) {
        List<String> include = properties.getDestinations().getInclude();
        List<String> exclude = properties.getDestinations().getExclude();
        return (include.isEmpty() || PatternMatchUtils.simpleMatch(include.toArray(String[]::new), destination))
                && !PatternMatchUtils.simpleMatch(exclude.toArray(String[]::new), destination);
    }

    /**
     * The recorder of a destination, made on first use; empty when the destination is not measured
     * (excluded, or beyond latency.max-destinations).
     */
    public Optional<LatencyRecorder> recorderFor(String system, String destination) {
        String key = system + ":" + destination;
        Destination d = destinations.get(key);
        if (d != null) {
            return Optional.of(d.recorder());
        }
        if (!measures(destination)) {
            return Optional.empty();
        }
        synchronized (this) {
            d = destinations.get(key);
            if (d == null) {
                if (destinations.size() >= properties.getMaxDestinations()) {
                    if (overLimitLogged.compareAndSet(false, true)) {
                        log.warn("latency-lib measures at most {} destinations (latency.max-destinations);"
                                + " {} {} and further destinations are not measured. Raise latency.max-destinations"
                                + " or narrow latency.destinations.include", properties.getMaxDestinations(), system,
                                destination);
                    }
                    return Optional.empty();
                }
                LatencyProperties.Recorder r = properties.getRecorder();
                LatencyRecorder recorder = LatencyRecorder.builder().evictAfter(r.getEvictAfter())
                        .joinCapacity(r.getJoinCapacity()).remoteProducerMemory(r.getRemoteProducerMemory().toBytes())
                        .build();
                d = new Destination(system, destination, recorder);
                LatencyMeters m = LatencyMeters.builder(recorder).system(system).destination(destination)
                        .publishPercentileHistogram(properties.getMeters().isPercentileHistogram())
                        .serviceLevelObjectives(properties.getMeters().getSloBuckets().toArray(Duration[]::new))
                        .build();
                meters.put(key, m);
                destinations.put(key, d);
                for (MeterRegistry registry : registries) {
                    bind(d, m, registry);
                }
            }
            return Optional.of(d.recorder());
        }
    }

    /** The destinations measured so far, by {@code system:destination}, in no particular order. */
    public Map<String, Destination> destinations() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
    }

    /** The objectives of latency.slos. */
    public List<Slo> slos() {
        return slos;
    }

    /** The verdicts of latency.slos on this report (empty without objectives). */
    public List<Verdict> verdicts(LatencyReport report) {
        return slos.isEmpty() ? List.of() : SloCheck.evaluate(slos, report);
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (registries.contains(registry)) {
            return;
        }
        registries.add(registry);
        destinations.forEach((key, d) -> bind(d, meters.get(key), registry));
    }

    private void bind(Destination d, LatencyMeters m, MeterRegistry registry) {
        m.bindTo(registry);
        for (Slo slo : slos) {
            // 1 while the objective holds on everything measured so far, 0 when violated (or nothing measured)
            Gauge gauge = Gauge.builder(SLO_GAUGE, d.recorder(), r -> slo.evaluate(r.report()).passed() ? 1 : 0)
                    .tag("messaging.system", d.system()).tag("messaging.destination.name", d.name())
                    .tag("slo", slo.toString())
                    .description("1 while the latency objective holds for this destination, else 0")
                    .register(registry);
            removals.add(() -> registry.remove(gauge));
        }
    }

    @Override
    public synchronized void close() {
        meters.values().forEach(LatencyMeters::close);
        removals.forEach(Runnable::run);
        removals.clear();
    }
}
