package io.latencylib.slo;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Violation messages that say where the time went. */
final class SloMessages {

    private SloMessages() {
    }

    /** @param fault the stage at fault, {@link Slo#stageAtFault}: the message names it and its usual causes */
    static String violation(Slo slo, double measured, LatencyReport report, Optional<StageStats> fault) {
        StringBuilder out = new StringBuilder();
        out.append("SLO violated: ").append(slo).append(" -- measured ").append(slo.format(measured));
        StageStats e2e = report.endToEndFromIntended().orElse(report.endToEnd());
        boolean corrected = report.endToEndFromIntended().isPresent();
        if (slo.isLatency()) {
            out.append(slo.stage().map(s -> " (" + s.label() + ")")
                    .orElse(corrected ? " (end-to-end from the intended send instant)" : " (end-to-end)"));
        }
        out.append(String.format(Locale.ROOT, "%n  end-to-end%s over %d messages: p50 %s, p90 %s, p99 %s, p99.9 %s,"
                        + " p99.99 %s, max %s", corrected ? " (corrected)" : "", e2e.count(), ms(e2e.p50()), ms(e2e.p90()),
                ms(e2e.p99()), ms(e2e.p999()), ms(e2e.p9999()), ms(e2e.max())));
        if (fault.isPresent()) {
            double p = slo.percentileOrMax();
            StageStats at = fault.get();
            String breakdown = report.stages().stream().map(s -> s.name() + " " + ms(s.percentile(p)))
                    .collect(Collectors.joining(", "));
            String pct = "p" + number(p);
            out.append(slo.stage().isPresent()
                    ? String.format(Locale.ROOT, "%n  at %s the stages are: %s", pct, breakdown)
                    : String.format(Locale.ROOT, "%n  at %s the largest stage is %s: %s (%s)", pct, at.name(),
                    ms(at.percentile(p)), breakdown));
            out.append(String.format(Locale.ROOT, "%n  %s grows with: %s", at.name(),
                    at.stages().stream().map(Stage::usualCauses).collect(Collectors.joining("; "))));
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
