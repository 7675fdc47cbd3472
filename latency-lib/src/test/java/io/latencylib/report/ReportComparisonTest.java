package io.latencylib.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class ReportComparisonTest {

    @TempDir
    Path dir;

    @Test
    void comparesTwoJsonFilesPerStageAndPercentileFromTheirHistograms() throws Exception {
        ReportData baseline = SyntheticRun.run(new SyntheticRun.Options().seed(1)).data();
        ReportData candidate = SyntheticRun.run(new SyntheticRun.Options().seed(2).slowerCommit(2.0)).data();
        Path b = dir.resolve("baseline.json");
        Path c = dir.resolve("candidate.json");
        LatencyReports.writeJson(baseline, b);
        LatencyReports.writeJson(candidate, c);

        ReportComparison diff = LatencyReports.compare(b, c);
        assertThat(diff.rows()).hasSize(9 * 6);   // 5 stages, 2 end-to-end, producer, lateness; 6 percentiles each
        ReportComparison.Row commitP50 = diff.row("commit", "p50").orElseThrow();
        Duration base = baseline.latency().stage(io.latencylib.Stage.COMMIT).orElseThrow().p50();
        Duration cand = candidate.latency().stage(io.latencylib.Stage.COMMIT).orElseThrow().p50();
        assertThat(commitP50.baseline()).isEqualTo(base);
        assertThat(commitP50.candidate()).isEqualTo(cand);
        assertThat(commitP50.delta()).isEqualTo(cand.minus(base));
        assertThat(commitP50.deltaPercent().getAsDouble())
                .isCloseTo((cand.toNanos() - base.toNanos()) * 100.0 / base.toNanos(), org.assertj.core.data.Offset.offset(1e-9))
                .isBetween(60.0, 140.0);   // commit took twice as long
        assertThat(diff.row("end-to-end from intended", "max")).isPresent();

        String text = diff.toText();
        assertThat(text).contains("baseline", "candidate", "delta %", "commit", "p99.99", "end-to-end from intended");
        assertThat(text.lines().filter(l -> l.matches("commit\\s+p50 .*")).findFirst().orElseThrow())
                .contains(ReportComparison.percentText(commitP50));

        String html = diff.toHtml();
        HtmlReportTest.assertSelfContained(html);
        Document doc = HtmlReportTest.parse(html);
        assertThat(HtmlReportTest.chartIds(doc)).containsExactly("chart-comparison");
        assertThat(HtmlReportTest.byId(doc, "comparison-table").orElseThrow().getTextContent())
                .contains("commit", ReportComparison.percentText(commitP50));
        assertThat(html).contains("class=\"n worse\"");
    }

    @Test
    void aReportComparedWithItselfHasNoDeltaAndMergedStagesAreListedApart() {
        ReportData split = SyntheticRun.run(new SyntheticRun.Options().unpaced()).data();
        ReportComparison same = ReportComparison.of(split, split);
        assertThat(same.rows()).allMatch(r -> r.delta().isZero());
        assertThat(same.onlyInBaseline()).isEmpty();

        ReportData merged = SyntheticRun.run(new SyntheticRun.Options().unpaced().createTime()).data();
        ReportComparison diff = ReportComparison.of(split, merged);
        assertThat(diff.onlyInBaseline()).containsExactly("publish", "commit");
        assertThat(diff.onlyInCandidate()).containsExactly("publish+commit");
        assertThat(diff.toText()).contains("only in the baseline: publish, commit", "only in the candidate: publish+commit");
    }
}
