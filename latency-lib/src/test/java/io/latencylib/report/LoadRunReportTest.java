package io.latencylib.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.load.InMemoryDriver;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.Progress;
import io.latencylib.load.Schedule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** A real {@link LoadRun} (about 1.5 s) over an in-memory driver, reported through this package. */
class LoadRunReportTest {

    @TempDir
    Path dir;

    @Test
    void aLoadReportWithIntervalsFromTheProgressListenerRoundTripsAndRenders() throws Exception {
        LatencyRecorder recorder = LatencyRecorder.create();
        LatencyRecorder.IntervalReader reader = recorder.newIntervalReader();
        List<LatencyReport> intervals = new CopyOnWriteArrayList<>();
        List<Progress> progress = new CopyOnWriteArrayList<>();
        LoadReport load = LoadRun.builder(new InMemoryDriver())
                .recorder(recorder)
                .schedule(Schedule.steps(Duration.ofMillis(500), 400, 800))
                .warmUp(Duration.ofMillis(300))
                .progressEvery(Duration.ofMillis(100))
                .progressListener(p -> {
                    intervals.add(reader.next());
                    progress.add(p);
                })
                .run();
        reader.close();
        assertThat(load.phases()).hasSize(2);
        // warm-up lines say so, and count the warm-up's sends (the recorder counts none of them)
        assertThat(progress).filteredOn(Progress::warmUp).isNotEmpty()
                .allSatisfy(p -> assertThat(p.achievedRate()).isGreaterThan(100))
                .allSatisfy(p -> assertThat(p.toString()).contains("warm-up, not measured"));
        assertThat(progress).filteredOn(p -> !p.warmUp()).isNotEmpty();

        ReportData data = ReportData.of(load, intervals);
        Path json = dir.resolve("load.json");
        LatencyReports.writeJson(data, json);
        ReportData back = LatencyReports.readJson(json);
        assertThat(back).isEqualTo(data);
        LoadData l = back.load().orElseThrow();
        assertThat(l.schedule()).isEqualTo(load.schedule().toString());
        assertThat(l.steps()).extracting(LoadData.Step::targetRate).containsExactly(400.0, 800.0);
        assertThat(l.backlog()).isEqualTo(load.backlog());
        assertThat(l.achievedRate()).isEqualTo(load.achievedRate());
        assertThat(back.latency().endToEndFromIntended()).isPresent();

        String html = LatencyReports.toHtml(back);
        HtmlReportTest.assertSelfContained(html);
        Document doc = HtmlReportTest.parse(html);
        assertThat(HtmlReportTest.chartIds(doc)).containsExactly("chart-percentiles", "chart-stages", "chart-rate",
                "chart-p99");
        assertThat(html).contains("warm-up (not measured)");
        assertThat(back.intervals()).allMatch(i -> i.end().isAfter(back.latency().start()))
                .hasSizeLessThan(intervals.size());   // the warm-up's are left out
        LatencyReports.writeHistogramLog(back, dir.resolve("load.hlog"));
        LatencyReports.writeHtml(back, ReportSamplesTest.OUT.resolve("load-run-in-memory.html"));
    }
}
