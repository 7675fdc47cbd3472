package io.latencylib.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportJsonTest {

    @TempDir
    Path dir;

    @Test
    void aLoadRunWithStepsBacklogAndIntervalsReadsBackEqual() throws IOException {
        SyntheticRun.Result run = SyntheticRun.run(new SyntheticRun.Options());
        Path file = dir.resolve("run.json");
        LatencyReports.writeJson(run.data(), file);
        ReportData back = LatencyReports.readJson(file);
        assertThat(back).isEqualTo(run.data());
        assertThat(back.load()).isPresent();
        assertThat(back.load().get().steps()).hasSize(3);
        assertThat(back.intervals()).hasSizeGreaterThan(10);
        // written again, byte for byte the same
        assertThat(LatencyReports.toJson(back)).isEqualTo(Files.readString(file));
    }

    @Test
    void aPlainReportReadsBackEqualAndGivesTheSamePercentilesAsTheRecorder() throws IOException {
        LatencyReport report = SyntheticRun.run(new SyntheticRun.Options().unpaced().createTime()).report();
        Path file = dir.resolve("plain.json");
        LatencyReports.writeJson(report, file);
        ReportData back = LatencyReports.readJson(file);
        assertThat(back).isEqualTo(ReportData.of(report));
        assertThat(back.load()).isEmpty();
        assertThat(back.latency().endToEndFromIntended()).isEmpty();
        assertThat(back.latency().stages()).extracting(Distribution::name).contains("publish+commit");
        for (StageStats s : report.stages()) {
            Distribution d = back.latency().stages().stream().filter(x -> x.name().equals(s.name())).findFirst().orElseThrow();
            for (double p : new double[] {1, 50, 90, 99, 99.9, 99.99, 99.999, 100}) {
                assertThat(d.percentile(p)).as(s.name() + " p" + p).isEqualTo(s.percentile(p));
            }
            assertThat(d.mean()).isEqualTo(s.mean());
            assertThat(d.min()).isEqualTo(s.min());
            assertThat(d.count()).isEqualTo(s.count());
        }
        assertThat(back.latency().counts()).isEqualTo(report.counts());
        assertThat(back.latency().notes()).isEqualTo(report.notes());
        assertThat(back.latency().clockOffsetBounds()).isEqualTo(report.clockOffsetBounds());
    }

    @Test
    void theDataRendersTheSameTableAsTheReportIncludingTheLargestClamps() {
        LatencyReport report = SyntheticRun.run(new SyntheticRun.Options()).report();
        assertThat(report.toTable()).contains("clamps: end of");
        LatencyData data = LatencyData.of(report);
        assertThat(data.clamps()).anyMatch(c -> c.count() > 0 && c.largest().isPresent());
        assertThat(data.toTable()).isEqualTo(report.toTable());
    }

    @Test
    void theFileCarriesTheDocumentedSummaryFields() throws IOException {
        SyntheticRun.Result run = SyntheticRun.run(new SyntheticRun.Options());
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) Json.parse(LatencyReports.toJson(run.data()));
        assertThat(root).containsEntry("schema", "latency-lib/report").containsEntry("version", 1L)
                .containsEntry("latencyUnit", "microseconds");
        @SuppressWarnings("unchecked")
        Map<String, Object> e2e = (Map<String, Object>) root.get("endToEndFromIntended");
        Distribution corrected = run.data().latency().endToEndFromIntended().orElseThrow();
        assertThat(e2e.get("count")).isEqualTo(corrected.count());
        assertThat(((Map<?, ?>) e2e.get("percentiles")).get("99.9")).isEqualTo(corrected.percentileMicros(99.9));
        assertThat(e2e.get("max")).isEqualTo(corrected.max().toNanos() / 1000);
        @SuppressWarnings("unchecked")
        Map<String, Object> env = (Map<String, Object>) root.get("environment");
        assertThat(env).containsKeys("libraryVersion", "javaVersion", "javaVendor", "osName", "availableProcessors")
                .doesNotContainKey("kafkaClientsVersion");   // kafka-clients is not on this module's class path
        assertThat(env.get("libraryVersion")).isEqualTo("dev");
    }

    @Test
    void everyMemberWrittenIsDocumentedInTheSchema() throws IOException {
        String doc;
        try (InputStream in = getClass().getResourceAsStream("REPORT-SCHEMA.md")) {
            assertThat(in).as("REPORT-SCHEMA.md next to this test").isNotNull();
            doc = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("`([A-Za-z0-9.]+)`").matcher(doc);
        while (m.find()) {
            documented.add(m.group(1));
        }
        Set<String> written = new TreeSet<>();
        keys(Json.parse(LatencyReports.toJson(SyntheticRun.run(new SyntheticRun.Options()).data())), written);
        written.removeAll(documented);
        assertThat(written).as("members written but not documented in REPORT-SCHEMA.md").isEmpty();
    }

    private static void keys(Object value, Set<String> out) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                out.add((String) k);
                keys(v, out);
            });
        } else if (value instanceof List<?> list) {
            list.forEach(v -> keys(v, out));
        }
    }

    @Test
    void readersIgnoreUnknownMembersAndRejectOtherSchemasAndVersions() throws IOException {
        ReportData data = SyntheticRun.run(new SyntheticRun.Options().unpaced()).data();
        String json = LatencyReports.toJson(data);
        String extended = json.replaceFirst("\\{", "{\n  \"futureMember\": {\"x\": [1, 2]},");
        assertThat(LatencyReports.fromJson(extended)).isEqualTo(data);

        assertThatThrownBy(() -> LatencyReports.fromJson(json.replace("\"version\": 1", "\"version\": 2")))
                .isInstanceOf(IOException.class).hasMessageContaining("version 2").hasMessageContaining("newer");
        assertThatThrownBy(() -> LatencyReports.fromJson(json.replace("latency-lib/report", "something/else")))
                .isInstanceOf(IOException.class).hasMessageContaining("not a latency-lib report");
        assertThatThrownBy(() -> LatencyReports.fromJson(json.replaceFirst("\"histogram\": \"", "\"histogram\": \"x")))
                .isInstanceOf(IOException.class).hasMessageContaining("stages[0].histogram");
        assertThatThrownBy(() -> LatencyReports.fromJson(json.replace("\"counts\"", "\"kounts\"")))
                .isInstanceOf(IOException.class).hasMessageContaining("missing member counts");
        assertThatThrownBy(() -> LatencyReports.fromJson(json.substring(0, json.length() / 2)))
                .isInstanceOf(IOException.class).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> LatencyReports.fromJson(json.replaceFirst("\"stage\": \"produce\"", "\"stage\": \"warp\"")))
                .isInstanceOf(IOException.class).hasMessageContaining("unknown stage \"warp\"");
    }

    @Test
    void anEmptyReportRoundTrips() throws IOException {
        LatencyReport empty = io.latencylib.LatencyRecorder.create().report();
        ReportData data = ReportData.of(empty);
        assertThat(LatencyReports.fromJson(LatencyReports.toJson(data))).isEqualTo(data);
        assertThat(data.latency().stage(Stage.COMMIT)).isEmpty();
        assertThat(LatencyReports.toHtml(data)).contains("id=\"chart-percentiles\"");
    }
}
