package io.latencylib.report;

import io.latencylib.LatencyReport;
import io.latencylib.load.LoadReport;
import io.latencylib.load.Schedule;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The load-run part of a report ({@link LoadReport}), detached: schedule, rates, per-step entries and
 * backlog samples. Immutable; equal when the data is.
 *
 * @param schedule               the schedule as text ({@link Schedule#toString()})
 * @param scheduleDuration       how long the schedule lasts (warm-up excluded)
 * @param targetRate             the schedule's average rate, messages per second
 * @param achievedRate           messages sent per second ({@link LoadReport#achievedRate()})
 * @param sent                   messages sent in the measured part
 * @param drained                true when every message sent was received before the run ended
 * @param backlogGrowthPerSecond {@link LoadReport#backlogGrowthPerSecond()}
 * @param lateMessages           messages sent more than {@link LoadReport#LATE_THRESHOLD} late
 * @param steps                  one entry per schedule phase (step), in order
 * @param backlog                sent and received counts sampled through the run (elapsed since the
 *                               start of the run, warm-up included)
 */
public record LoadData(String schedule, Duration scheduleDuration, double targetRate, double achievedRate, long sent,
                       boolean drained, double backlogGrowthPerSecond, long lateMessages, List<Step> steps,
                       List<LoadReport.BacklogSample> backlog) {

    /**
     * One phase (step) of the schedule.
     *
     * @param schedule     the phase as text
     * @param targetRate   its rate, messages per second
     * @param achievedRate messages actually sent while it ran, per second
     * @param latency      the latency of the messages completed while it ran (as a file holds it: see
     *                     {@link ReportData})
     */
    public record Step(String schedule, double targetRate, double achievedRate, LatencyReport latency) {
        public Step {
            Objects.requireNonNull(schedule, "schedule");
            latency = ReportData.detached(Objects.requireNonNull(latency, "latency"));
        }
    }

    public LoadData {
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(scheduleDuration, "scheduleDuration");
        steps = List.copyOf(steps);
        backlog = List.copyOf(backlog);
    }

    /** @return the load part of {@code report} */
    public static LoadData of(LoadReport report) {
        List<Step> steps = report.phases().stream().map(p -> new Step(p.schedule().toString(), p.targetRate(),
                p.achievedRate(), p.report())).toList();
        return new LoadData(report.schedule().toString(), report.schedule().duration(), report.targetRate(),
                report.achievedRate(), report.sent(), report.drained(), report.backlogGrowthPerSecond(),
                report.lateMessages(), steps, report.backlog());
    }
}
