package io.latencylib.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.latencylib.LatencyReport;
import io.latencylib.StageStats;
import io.latencylib.slo.Slo;
import io.latencylib.slo.SloCheck;
import io.latencylib.slo.Verdict;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

class HtmlReportTest {

    @TempDir
    Path dir;

    @Test
    void aLoadRunPageIsSelfContainedWellFormedAndHasEveryChartAndTable() throws Exception {
        ReportData data = SyntheticRun.run(new SyntheticRun.Options()).data();
        Path file = dir.resolve("run.html");
        LatencyReports.writeHtml(data, file);
        String html = Files.readString(file);
        assertSelfContained(html);
        Document doc = parse(html);
        assertThat(chartIds(doc)).containsExactly("chart-percentiles", "chart-stages", "chart-rate", "chart-p99");
        for (Element svg : elements(doc, "svg")) {
            assertThat(svg.getAttribute("aria-label")).isNotBlank();
            assertThat(svg.getAttribute("role")).isEqualTo("img");
        }
        assertThat(byId(doc, "latency-table")).isPresent();
        assertThat(byId(doc, "steps-table")).isPresent();
        // the table holds every distribution with its p99 in milliseconds
        LatencyReport l = data.latency();
        String table = byId(doc, "latency-table").orElseThrow().getTextContent();
        for (StageStats d : l.stages()) {
            assertThat(table).contains(d.name(), String.format(java.util.Locale.ROOT, "%.3f", d.p99().toNanos() / 1e6));
        }
        assertThat(table).contains("end-to-end from intended (corrected)", "producer", "lateness");
        // paced: corrected and uncorrected curves
        Element percentiles = byId(doc, "chart-percentiles").orElseThrow();
        assertThat(elements(percentiles, "path")).hasSize(2);
        assertThat(percentiles.getTextContent()).contains("99.999%", "corrected", "uncorrected");
        // the stages chart: three bars per stage
        assertThat(elements(byId(doc, "chart-stages").orElseThrow(), "rect").stream()
                .filter(r -> r.getAttribute("class").startsWith("bar") && r.hasAttribute("height")
                        && !r.getAttribute("width").equals("14")).count())
                .isEqualTo(3L * l.stages().size());
        assertThat(html).contains("prefers-color-scheme: dark", "@media print", "currentColor");
    }

    @Test
    void aPlainUnpacedReportHasOneCurveAndNoTimeCharts() throws Exception {
        ReportData data = ReportData.of(SyntheticRun.run(new SyntheticRun.Options().unpaced().createTime()).report());
        String html = LatencyReports.toHtml(data);
        assertSelfContained(html);
        Document doc = parse(html);
        assertThat(chartIds(doc)).containsExactly("chart-percentiles", "chart-stages");
        assertThat(elements(byId(doc, "chart-percentiles").orElseThrow(), "path")).hasSize(1);
        assertThat(byId(doc, "latency-table").orElseThrow().getTextContent()).contains("publish+commit (merged)");
    }

    @Test
    void intervalsGiveTimeChartsWithoutALoadRun() throws Exception {
        SyntheticRun.Result run = SyntheticRun.run(new SyntheticRun.Options().unpaced());
        Document doc = parse(LatencyReports.toHtml(ReportData.of(run.report(), run.intervals())));
        assertThat(chartIds(doc)).containsExactly("chart-percentiles", "chart-stages", "chart-rate", "chart-p99");
    }

    @Test
    void textFromTheReportIsEscapedAndHoldsNoUrl() throws Exception {
        ReportData data = SyntheticRun.run(new SyntheticRun.Options().unpaced()).data();
        LatencyReport l = data.latency();
        List<String> notes = new ArrayList<>(l.notes());
        notes.add("<script>alert('x')</script> & see https://example.org/x or HTTP://example.org");
        LatencyReport withNote = SyntheticRun.withNotes(l, notes);
        String html = LatencyReports.toHtml(new ReportData(data.environment(), withNote, Optional.empty(), List.of(), List.of()));
        assertSelfContained(html);
        Document doc = parse(html);
        assertThat(elements(doc, "script")).isEmpty();
        assertThat(doc.getDocumentElement().getTextContent()).contains("<script>alert('x')</script> & see https://example.org/x");
    }

    @Test
    void verdictsComeFirstWithObjectiveMeasuredValueResultAndStageAtFaultEscaped() throws Exception {
        SyntheticRun.Result run = SyntheticRun.run(new SyntheticRun.Options());
        List<Verdict> verdicts = SloCheck.evaluate(Slo.parseAll("p50 < 10s", "p99 < 1ms", "lost == 0"), run.report());
        Verdict failed = verdicts.get(1);
        assertThat(failed.passed()).isFalse();
        String stage = failed.stageAtFault().orElseThrow();
        String html = LatencyReports.toHtml(run.data().withVerdicts(verdicts));
        assertSelfContained(html);
        Document doc = parse(html);
        Element section = byId(doc, "verdicts").orElseThrow();
        assertThat(section.getAttribute("class")).isEqualTo("verdicts fail");
        assertThat(elements(doc, "section").get(0)).as("the first section").isSameAs(section);
        assertThat(doc.getElementsByTagName("title").item(0).getTextContent()).endsWith("1 SLO failed");
        assertThat(elements(section, "h2").get(0).getTextContent()).isEqualTo("SLO verdicts: 1 of 3 failed");

        List<Element> rows = elements(elements(byId(doc, "verdict-table").orElseThrow(), "tbody").get(0), "tr");
        assertThat(rows).hasSize(3);
        assertThat(rows).extracting(r -> r.getAttribute("class")).containsExactly("pass", "fail", "pass");
        List<String> cells = elements(rows.get(1), "*").stream().filter(e -> e.getParentNode() == rows.get(1))
                .map(Element::getTextContent).toList();
        assertThat(cells).containsExactly("FAIL", "p99 < 1ms", failed.measuredText(), stage);
        assertThat(failed.measuredText()).matches("[0-9.]+ ms");
        assertThat(elements(rows.get(0), "td").get(0).getTextContent()).isEqualTo("PASS");
        assertThat(elements(rows.get(0), "td").get(2).getTextContent()).as("no stage at fault when passed").isEmpty();
        // the objective's "<" is escaped in the markup, not only well-formed by luck
        assertThat(html).contains("<code>p99 &lt; 1ms</code>").doesNotContain("p99 < 1ms");
        // the failure explained, with the stage at fault
        Element why = byId(doc, "verdict-2").orElseThrow();
        assertThat(why.getTextContent()).contains("FAIL", "p99 < 1ms", "stage at fault: " + stage,
                "at p99 the largest stage is " + stage, failed.measuredText());
        assertThat(byId(doc, "verdict-1")).as("passed: nothing to explain").isEmpty();
        // pass and fail are coloured in the light and in the dark scheme
        assertThat(html).contains(".badge.pass { background: var(--good); }", ".badge.fail { background: var(--bad); }");
        String dark = html.substring(html.indexOf("@media (prefers-color-scheme: dark)"));
        assertThat(dark.substring(0, dark.indexOf("}\n}"))).contains("--bad:", "--good:");

        String passing = LatencyReports.toHtml(run.data().withVerdicts(List.of(verdicts.get(0), verdicts.get(2))));
        Element ok = byId(parse(passing), "verdicts").orElseThrow();
        assertThat(ok.getAttribute("class")).isEqualTo("verdicts pass");
        assertThat(ok.getTextContent()).contains("all 2 objectives passed").doesNotContain("FAIL", "stage at fault");
        assertThat(LatencyReports.toHtml(run.data())).as("no verdicts, no section").doesNotContain("id=\"verdicts\"");
    }

    static void assertSelfContained(String html) {
        assertThat(html).startsWith("<!DOCTYPE html>");
        assertThat(html.toLowerCase(java.util.Locale.ROOT)).doesNotContain("http:", "https:", "<script", "<link",
                "@import", "url(", "src=", "href=");
    }

    static Document parse(String html) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setExpandEntityReferences(false);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(html)));
    }

    static List<String> chartIds(Document doc) {
        return elements(doc, "svg").stream().map(e -> e.getAttribute("id")).toList();
    }

    static Optional<Element> byId(Document doc, String id) {
        List<Element> all = new ArrayList<>(elements(doc, "*"));
        return all.stream().filter(e -> id.equals(e.getAttribute("id"))).findFirst();
    }

    static List<Element> elements(Document doc, String tag) {
        return list(doc.getElementsByTagName(tag));
    }

    static List<Element> elements(Element parent, String tag) {
        return list(parent.getElementsByTagName(tag));
    }

    private static List<Element> list(NodeList nodes) {
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
