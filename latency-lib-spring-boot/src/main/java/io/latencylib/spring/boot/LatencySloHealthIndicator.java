package io.latencylib.spring.boot;

import io.latencylib.LatencyReport;
import io.latencylib.slo.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health {@code latency}: the verdicts of {@code latency.slos} on every destination that received
 * messages; DOWN when one is violated (details: each destination's verdicts, with the stage at fault),
 * UP when all hold, UNKNOWN before anything was received.
 */
public class LatencySloHealthIndicator implements HealthIndicator {

    private final LatencyRecorders recorders;

    public LatencySloHealthIndicator(LatencyRecorders recorders) {
        this.recorders = recorders;
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean measured = false;
        boolean violated = false;
        for (Map.Entry<String, LatencyRecorders.Destination> e : new TreeMap<>(recorders.destinations()).entrySet()) {
            LatencyReport report = e.getValue().recorder().report();
            if (report.counts().received() == 0) {
                continue;
            }
            measured = true;
            Map<String, String> verdicts = new LinkedHashMap<>();
            for (Verdict v : recorders.verdicts(report)) {
                violated |= !v.passed();
                verdicts.put(v.slo().toString(), (v.passed() ? "PASS " : "FAIL ") + v.measuredText()
                        + v.stageAtFault().map(s -> " (stage at fault: " + s + ")").orElse(""));
            }
            details.put(e.getKey(), verdicts);
        }
        Health.Builder health = violated ? Health.down() : measured ? Health.up() : Health.unknown();
        return health.withDetails(details).build();
    }
}
