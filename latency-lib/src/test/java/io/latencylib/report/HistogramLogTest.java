package io.latencylib.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyReport;
import io.latencylib.StageStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistogramLogTest {

    private static final double[] PERCENTILES = {0, 25, 50, 90, 99, 99.9, 99.99, 99.999, 100};

    @TempDir
    Path dir;

    @Test
    void aSingleReportReadsBackWithHdrHistogramsOwnReaderWithTheSamePercentilesPerTag() throws IOException {
        LatencyReport report = SyntheticRun.run(new SyntheticRun.Options()).report();
        Path file = dir.resolve("run.hlog");
        LatencyReports.writeHistogramLog(report, file);

        Map<String, List<Histogram>> byTag = read(file);
        assertThat(byTag.keySet()).containsExactly("produce", "publish", "commit", "catch-up", "fetch", "end-to-end",
                "end-to-end-from-intended", "producer", "lateness");
        for (StageStats d : ReportData.all(report)) {
            Histogram recorded = d.histogram();
            List<Histogram> intervals = byTag.get(HistogramLogRecorder.tag(d));
            assertThat(intervals).as(d.name()).hasSize(1);
            Histogram h = intervals.get(0);
            assertThat(h.getTotalCount()).isEqualTo(d.count());
            for (double p : PERCENTILES) {
                assertThat(h.getValueAtPercentile(p)).as(d.name() + " p" + p).isEqualTo(recorded.getValueAtPercentile(p));
            }
            assertThat(h.getStartTimeStamp()).isEqualTo(report.start().toEpochMilli());
            assertThat(h.getEndTimeStamp()).isEqualTo(report.end().toEpochMilli());
        }
        String text = Files.readString(file);
        assertThat(text).contains("#[Histogram log format version 1.3]", "#[StartTime: ", "Tag=publish,",
                "Tag=end-to-end-from-intended,");
    }

    @Test
    void intervalReportsBecomeConsecutiveIntervalsThatAddUpToTheWholeRun() throws IOException {
        SyntheticRun.Result run = SyntheticRun.run(new SyntheticRun.Options());
        Path file = dir.resolve("intervals.hlog");
        try (HistogramLogRecorder log = HistogramLogRecorder.create(file)) {
            run.intervals().forEach(log::append);   // as a caller would, after each IntervalReader.next()
            assertThat(log.intervals()).isEqualTo(run.intervals().size());
        }
        Map<String, List<Histogram>> byTag = read(file);
        List<Histogram> e2e = byTag.get("end-to-end");
        assertThat(e2e).hasSize(run.intervals().size());
        Histogram sum = new Histogram(3);
        long previousEnd = 0;
        for (int i = 0; i < e2e.size(); i++) {
            Histogram h = e2e.get(i);
            LatencyReport interval = run.intervals().get(i);
            assertThat(h.getValueAtPercentile(99)).isEqualTo(interval.endToEnd().histogram().getValueAtPercentile(99));
            assertThat(h.getStartTimeStamp()).isEqualTo(interval.start().toEpochMilli()).isGreaterThanOrEqualTo(previousEnd);
            previousEnd = h.getEndTimeStamp();
            sum.add(h);
        }
        Histogram whole = run.report().endToEnd().histogram();
        assertThat(sum.getTotalCount()).isEqualTo(whole.getTotalCount());
        for (double p : PERCENTILES) {
            assertThat(sum.getValueAtPercentile(p)).as("p" + p).isEqualTo(whole.getValueAtPercentile(p));
        }
        // the same from the report data, which carries the intervals
        Path fromData = dir.resolve("data.hlog");
        LatencyReports.writeHistogramLog(run.data(), fromData);
        assertThat(read(fromData).get("end-to-end")).hasSize(run.intervals().size());
        assertThat(Files.readString(fromData).lines().filter(l -> !l.startsWith("#")).toList())
                .isEqualTo(Files.readString(file).lines().filter(l -> !l.startsWith("#")).toList());
    }

    private static Map<String, List<Histogram>> read(Path file) throws IOException {
        Map<String, List<Histogram>> byTag = new LinkedHashMap<>();
        try (HistogramLogReader reader = new HistogramLogReader(file.toFile())) {
            EncodableHistogram h;
            while ((h = reader.nextIntervalHistogram()) != null) {
                byTag.computeIfAbsent(h.getTag(), t -> new ArrayList<>()).add((Histogram) h);
            }
        }
        return byTag;
    }
}
