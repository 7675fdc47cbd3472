package io.latencylib.slo;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Violation messages that say where the time went. */
final class SloMessages {

    private SloMessages() {
    }

    /**
     * @param fault the stage at fault, {@link Slo#stageAtFault}: for an objective on one stage that stage,
     *              otherwise the largest at the objective's percentile; the message names it, its value and
     *              its usual causes on the systems the report measured ({@link LatencyReport#systems()})
     */
    static String violation(Slo slo, double measured, LatencyReport report, Optional<StageStats> fault) {
        StringBuilder out = new StringBuilder();
        out.append("SLO violated: ").append(slo).append(" -- measured ").append(slo.format(measured));
        StageStats e2e = report.endToEndFromIntended().orElse(report.endToEnd());
        boolean corrected = report.endToEndFromIntended().isPresent();
        if (slo.isLatency()) {
            out.append(slo.stage().map(s -> " (" + s.label() + ")")
                    .orElse(corrected ? " (end-to-end from the intended send instant)" : " (end-to-end)"));
        }
        if (fault.isPresent() && slo.stage().isPresent()) {
            // an objective on one stage: that stage first, the others for comparison
            StageStats at = fault.get();
            String others = report.stages().stream().filter(s -> s != at)
                    .map(s -> s.name() + " " + ms(slo.valueOf(s))).collect(Collectors.joining(", "));
            out.append(String.format(Locale.ROOT, "%n  %s %s: %s over %d messages%s", at.name(), slo.where(),
                    ms(slo.valueOf(at)), at.count(), others.isEmpty() ? "" : " (the other stages: " + others + ")"));
        }
        out.append(String.format(Locale.ROOT, "%n  end-to-end%s over %d messages: p50 %s, p90 %s, p99 %s, p99.9 %s,"
                        + " p99.99 %s, max %s", corrected ? " (corrected)" : "", e2e.count(), ms(e2e.p50()), ms(e2e.p90()),
                ms(e2e.p99()), ms(e2e.p999()), ms(e2e.p9999()), ms(e2e.max())));
        if (fault.isPresent()) {
            StageStats at = fault.get();
            if (slo.stage().isEmpty()) {
                String breakdown = report.stages().stream().map(s -> s.name() + " " + ms(slo.valueOf(s)))
                        .collect(Collectors.joining(", "));
                out.append(String.format(Locale.ROOT, "%n  %s the largest stage is %s: %s (%s)", slo.where(), at.name(),
                        ms(slo.valueOf(at)), breakdown));
            }
            out.append(causes(at, report.systems()));
        } else if (!slo.isLatency()) {
            LatencyReport.Counts c = report.counts();
            out.append(String.format(Locale.ROOT, "%n  sent %d, received %d, lost %d, duplicated %d, reordered %d,"
                            + " send errors %d, in %.1f s", c.sent(), c.received(), c.lost(), c.duplicated(), c.reordered(),
                    c.sendErrors(), report.duration().toMillis() / 1000.0));
        }
        for (String note : report.notes()) {
            out.append("\n  note: ").append(note);
        }
        return out.toString();
    }

    /**
     * @return what makes {@code at} grow on the systems measured: one system's causes on one line; for
     *     several systems, or when the report does not say which, each system's on a line of its own
     */
    static String causes(StageStats at, Set<String> measured) {
        Map<String, List<String>> bySystem = new LinkedHashMap<>();
        for (Stage stage : at.stages()) {
            stage.usualCausesBySystem().forEach((system, causes) ->
                    bySystem.computeIfAbsent(system, x -> new ArrayList<>()).add(causes));
        }
        List<String> systems = bySystem.keySet().stream().filter(measured::contains).toList();
        if (systems.size() == 1) {
            return String.format(Locale.ROOT, "%n  %s grows with: %s", at.name(),
                    String.join("; ", bySystem.get(systems.get(0))));
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%n  %s grows with%s:", at.name(),
                systems.isEmpty() ? " (the report does not say which system it measured)" : ""));
        for (String system : systems.isEmpty() ? bySystem.keySet() : systems) {
            out.append(String.format(Locale.ROOT, "%n    %s: %s", system, String.join("; ", bySystem.get(system))));
        }
        return out.toString();
    }

    static String ms(java.time.Duration d) {
        return duration(d.toNanos());
    }

    /** @return nanoseconds as text in the unit that reads best */
    static String duration(double nanos) {
        if (nanos >= 1e9) {
            return String.format(Locale.ROOT, "%s s", number(nanos / 1e9));
        }
        if (nanos >= 1e6) {
            return String.format(Locale.ROOT, "%s ms", number(nanos / 1e6));
        }
        if (nanos >= 1e3) {
            return String.format(Locale.ROOT, "%s us", number(nanos / 1e3));
        }
        return String.format(Locale.ROOT, "%s ns", number(nanos));
    }

    /** @return a number without trailing zeros, at most three decimals */
    static String number(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s;
    }
}
