package io.latencylib.report;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import io.latencylib.internal.ReportAccess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/** Adds reports of the same run measured by several processes: {@link LatencyReports#merge(List)}. */
final class ReportMerge {

    private ReportMerge() {
    }

    static LatencyReport merge(List<LatencyReport> reports) {
        if (reports.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge: give at least one report");
        }
        // a report that recorded no stage (an empty interval) adds nothing to them; the others must agree
        List<LatencyReport> withStages = reports.stream().filter(r -> !r.stages().isEmpty()).toList();
        List<String> layout = withStages.isEmpty() ? List.of()
                : withStages.get(0).stages().stream().map(StageStats::name).toList();
        for (LatencyReport r : withStages) {
            List<String> other = r.stages().stream().map(StageStats::name).toList();
            if (!other.equals(layout)) {
                throw new IllegalArgumentException("the reports split the stages differently (" + layout + " and "
                        + other + "): they cannot be added stage by stage; merge reports of the same run and settings");
            }
        }
        Instant start = reports.stream().map(LatencyReport::start).min(Instant::compareTo).orElseThrow();
        Instant end = reports.stream().map(LatencyReport::end).max(Instant::compareTo).orElseThrow();
        StageStats endToEnd = add(reports, r -> r.endToEnd());
        StageStats fromIntended = add(reports, r -> r.endToEndFromIntended().orElse(null));
        StageStats producer = add(reports, r -> r.producerLatency().orElse(null));
        StageStats lateness = add(reports, r -> r.lateness().orElse(null));
        List<StageStats> stages = new ArrayList<>();
        for (int i = 0; i < layout.size(); i++) {
            int k = i;
            stages.add(add(withStages, r -> r.stages().get(k)));
        }
        LatencyReport.Counts c = sum(reports);
        Map<Stage, Long> clamps = new EnumMap<>(Stage.class);
        Map<Stage, Duration> largest = new EnumMap<>(Stage.class);
        for (LatencyReport r : reports) {
            for (Stage s : Stage.values()) {
                clamps.merge(s, r.clamps(s), Long::sum);
                r.largestClamp(s).ifPresent(d -> largest.merge(s, d, (a, b) -> a.compareTo(b) >= 0 ? a : b));
            }
        }
        LatencyReport.ClockOffsetBounds bounds = null;
        for (LatencyReport r : reports) {
            LatencyReport.ClockOffsetBounds b = r.clockOffsetBounds().orElse(null);
            if (b != null) {
                bounds = bounds == null ? b : new LatencyReport.ClockOffsetBounds(
                        Math.min(bounds.lowerMicros(), b.lowerMicros()), Math.max(bounds.upperMicros(), b.upperMicros()));
            }
        }
        Set<String> notes = new LinkedHashSet<>();
        Set<String> systems = new LinkedHashSet<>();
        for (LatencyReport r : reports) {
            notes.addAll(r.notes());
            systems.addAll(r.systems());
        }
        return ReportAccess.factory().report(start, end, endToEnd, fromIntended, producer, lateness, stages, c, clamps,
                largest, bounds, List.copyOf(notes), systems);
    }

    /** @return the exact sum of the distributions (null when no report has one) */
    private static StageStats add(List<LatencyReport> reports, Function<LatencyReport, StageStats> which) {
        StageStats template = null;
        Histogram sum = null;
        for (LatencyReport r : reports) {
            StageStats s = which.apply(r);
            if (s == null) {
                continue;
            }
            if (template == null) {
                template = s;
                sum = s.histogram().copy();
            } else {
                if (!Objects.equals(template.name(), s.name())) {
                    throw new IllegalArgumentException("cannot add " + s.name() + " to " + template.name());
                }
                sum.add(s.histogram());
            }
        }
        return template == null ? null : ReportAccess.factory().stats(template.name(), template.stages(), sum);
    }

    private static LatencyReport.Counts sum(List<LatencyReport> reports) {
        long[] v = new long[18];
        for (LatencyReport r : reports) {
            LatencyReport.Counts c = r.counts();
            long[] x = {c.sent(), c.acked(), c.sendErrors(), c.received(), c.joined(), c.unjoined(), c.lost(),
                c.duplicated(), c.reordered(), c.unstamped(), c.evicted(), c.inFlight(), c.redelivered(),
                c.implausible(), c.aborted(), c.returned(), c.untracked(), c.approximated()};
            for (int i = 0; i < v.length; i++) {
                v[i] += x[i];
            }
        }
        return new LatencyReport.Counts(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11],
                v[12], v[13], v[14], v[15], v[16], v[17]);
    }
}
