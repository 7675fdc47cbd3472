package io.latencylib.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.slo.Slo;
import io.latencylib.slo.SloCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Writes realistic sample reports under {@code target/report-samples/} to look at (or screenshot):
 * a stepped paced load run with interval reports and SLO verdicts (some failed), a plain application
 * report with merged stages and verdicts that all passed, and a comparison of two runs.
 * {@code src/test/screenshots.sh} screenshots them in a headless browser, light and dark.
 */
class ReportSamplesTest {

    static final Path OUT = Path.of("target", "report-samples");

    @Test
    void writesSampleReports() throws Exception {
        SyntheticRun.Result baseline = SyntheticRun.run(new SyntheticRun.Options().seed(1));
        ReportData withVerdicts = baseline.data().withVerdicts(SloCheck.evaluate(Slo.parseAll("p50 < 20ms",
                "p99 < 10ms", "commit.p99.9 < 5ms", "lost == 0", "throughput >= 2000/s"), baseline.report()));
        assertThat(withVerdicts.verdicts()).anyMatch(v -> v.passed()).anyMatch(v -> !v.passed());
        LatencyReports.writeJson(withVerdicts, OUT.resolve("load-run-verdicts.json"));
        LatencyReports.writeHtml(withVerdicts, OUT.resolve("load-run-verdicts.html"));
        LatencyReports.writeJson(baseline.data(), OUT.resolve("load-run.json"));
        LatencyReports.writeHtml(baseline.data(), OUT.resolve("load-run.html"));
        LatencyReports.writeHistogramLog(baseline.data(), OUT.resolve("load-run.hlog"));
        Files.writeString(OUT.resolve("load-run.txt"), baseline.data().latency().toTable());

        SyntheticRun.Result plain = SyntheticRun.run(new SyntheticRun.Options().seed(3).unpaced().createTime());
        ReportData plainVerdicts = ReportData.of(plain.report()).withVerdicts(SloCheck.evaluate(
                Slo.parseAll("p99 < 1s", "lost == 0"), plain.report()));
        assertThat(plainVerdicts.verdicts()).allMatch(v -> v.passed());
        LatencyReports.writeHtml(plainVerdicts, OUT.resolve("application.html"));

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
