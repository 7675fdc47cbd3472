package io.latencylib.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Writes realistic sample reports under {@code target/report-samples/} to look at (or screenshot):
 * a stepped paced load run with interval reports, a plain application report with merged stages,
 * and a comparison of two runs.
 */
class ReportSamplesTest {

    static final Path OUT = Path.of("target", "report-samples");

    @Test
    void writesSampleReports() throws Exception {
        SyntheticRun.Result baseline = SyntheticRun.run(new SyntheticRun.Options().seed(1));
        LatencyReports.writeJson(baseline.data(), OUT.resolve("load-run.json"));
        LatencyReports.writeHtml(baseline.data(), OUT.resolve("load-run.html"));
        LatencyReports.writeHistogramLog(baseline.data(), OUT.resolve("load-run.hlog"));
        Files.writeString(OUT.resolve("load-run.txt"), baseline.data().latency().toTable());

        SyntheticRun.Result plain = SyntheticRun.run(new SyntheticRun.Options().seed(3).unpaced().createTime());
        LatencyReports.writeHtml(plain.report(), OUT.resolve("application.html"));

        SyntheticRun.Result candidate = SyntheticRun.run(new SyntheticRun.Options().seed(2).slowerCommit(1.6)
                .slowerPublish(0.8));
        LatencyReports.writeJson(candidate.data(), OUT.resolve("candidate.json"));
        ReportComparison diff = LatencyReports.compare(OUT.resolve("load-run.json"), OUT.resolve("candidate.json"));
        LatencyReports.writeHtml(diff, OUT.resolve("comparison.html"));
        Files.writeString(OUT.resolve("comparison.txt"), diff.toText());

        assertThat(OUT.resolve("load-run.html")).isNotEmptyFile();
        assertThat(OUT.resolve("comparison.html")).isNotEmptyFile();
    }
}
