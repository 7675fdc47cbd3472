package io.latencylib.pulsar.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventType;

/** Runs a scenario class through JUnit's own EngineTestKit, on a given Pulsar broker, and reads what happened. */
final class Kit {

    final EngineExecutionResults results;

    private Kit(EngineExecutionResults results) {
        this.results = results;
    }

    /** Runs {@code scenario} against the broker at {@code serviceUrl} / {@code httpUrl} (latency.pulsar.url / http). */
    static Kit run(Class<?> scenario, String serviceUrl, String httpUrl, String... parameters) {
        Map<String, String> config = new HashMap<>();
        config.put(KitOnly.PARAMETER, "true");
        config.put("latency.pulsar.url", serviceUrl);
        config.put("latency.pulsar.http", httpUrl);
        for (int i = 0; i < parameters.length; i += 2) {
            config.put(parameters[i], parameters[i + 1]);
        }
        return new Kit(EngineTestKit.engine("junit-jupiter").selectors(selectClass(scenario))
                .configurationParameters(config).execute());
    }

    /** @return display name of every failed test → its failure */
    Map<String, Throwable> failures() {
        Map<String, Throwable> out = new LinkedHashMap<>();
        results.testEvents().failed().stream().forEach(e -> out.put(e.getTestDescriptor().getDisplayName(),
                e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow()));
        return out;
    }

    /** @return display names of the tests that succeeded */
    List<String> succeeded() {
        return results.testEvents().succeeded().stream().map(e -> e.getTestDescriptor().getDisplayName()).toList();
    }

    /** @return the report entries the tests published, display name → every key/value of its entries */
    Map<String, Map<String, String>> entries() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        results.allEvents().stream().filter(e -> e.getType() == EventType.REPORTING_ENTRY_PUBLISHED)
                .forEach(e -> out.computeIfAbsent(e.getTestDescriptor().getDisplayName(), k -> new LinkedHashMap<>())
                        .putAll(e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs()));
        return out;
    }

    /** @return a readable account of the run, for assertion messages */
    @Override
    public String toString() {
        StringBuilder failed = new StringBuilder();
        failures().forEach((name, t) -> failed.append("\n  ").append(name).append(": ").append(t));
        return "succeeded " + succeeded() + ", failed " + failures().keySet() + ", aborted/skipped "
                + results.testEvents().aborted().count() + "/" + results.testEvents().skipped().count()
                + "; entries " + entries() + failed
                + results.containerEvents().failed().stream().map(e -> "\n  container "
                        + e.getTestDescriptor().getDisplayName() + ": " + e.getPayload(TestExecutionResult.class)
                        .flatMap(TestExecutionResult::getThrowable).map(Object::toString).orElse("?")).toList();
    }
}
