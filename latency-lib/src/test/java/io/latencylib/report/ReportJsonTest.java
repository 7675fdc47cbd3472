package io.latencylib.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import io.latencylib.internal.ReportAccess;
import io.latencylib.slo.Slo;
import io.latencylib.slo.SloCheck;
import io.latencylib.slo.Verdict;
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
        assertThat(back.latency().stages()).extracting(StageStats::name).contains("publish+commit");
        for (StageStats s : report.stages()) {
            StageStats d = back.latency().stages().stream().filter(x -> x.name().equals(s.name())).findFirst().orElseThrow();
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
    void theReportReadBackRendersTheSameTableIncludingTheLargestClamps() throws IOException {
        LatencyReport report = SyntheticRun.run(new SyntheticRun.Options()).report();
        assertThat(report.toTable()).contains("clamps: end of", "(largest ");
        assertThat(Stage.values()).anyMatch(s -> report.clamps(s) > 0 && report.largestClamp(s).isPresent());
        LatencyReport back = LatencyReports.fromJson(LatencyReports.toJson(ReportData.of(report))).latency();
        for (Stage s : Stage.values()) {
            assertThat(back.clamps(s)).as(s.label()).isEqualTo(report.clamps(s));
            assertThat(back.largestClamp(s)).as(s.label()).isEqualTo(report.largestClamp(s));
        }
        assertThat(back.toTable()).isEqualTo(report.toTable());
    }

    @Test
    void aClampWithoutItsLargestMoveReadsAndPrintsWithoutIt() throws IOException {
        LatencyReport report = SyntheticRun.run(new SyntheticRun.Options()).report();
        Stage clamped = java.util.Arrays.stream(Stage.values()).filter(s -> report.clamps(s) > 0).findFirst().orElseThrow();
        String json = LatencyReports.toJson(ReportData.of(report));
        String without = json.replaceFirst("(\\{\\s*\"stage\": \"" + clamped.label()
                + "\",\\s*\"count\": \\d+),\\s*\"largestMicros\": \\d+", "$1");
        assertThat(without).isNotEqualTo(json);
        LatencyReport back = LatencyReports.fromJson(without).latency();
        assertThat(back.clamps(clamped)).isEqualTo(report.clamps(clamped));
        assertThat(back.largestClamp(clamped)).isEmpty();
        assertThat(back).isNotEqualTo(ReportData.of(report).latency());
        String text = "end of " + clamped.label() + " " + report.clamps(clamped);
        assertThat(report.toTable()).contains(text + " (largest ");
        assertThat(back.toTable()).contains(text).doesNotContain(text + " (largest ");
        assertThatThrownBy(() -> LatencyReports.fromJson(json.replaceFirst("\"stage\": \"publish\"",
                "\"stage\": \"produce\""))).isInstanceOf(IOException.class)
                .hasMessageContaining("clamps[1].stage: a second entry of stage \"produce\"");
    }

    @Test
    void reportsAndDistributionsAreEqualByTheirDataAndAReportFileDoesNotRecordTheSystems() throws IOException {
        LatencyReport a = SyntheticRun.run(new SyntheticRun.Options()).report();
        LatencyReport same = SyntheticRun.run(new SyntheticRun.Options()).report();
        LatencyReport other = SyntheticRun.run(new SyntheticRun.Options().seed(2)).report();
        assertThat(a).isNotSameAs(same).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(other);
        assertThat(a.endToEnd()).isEqualTo(same.endToEnd()).hasSameHashCodeAs(same.endToEnd())
                .isNotEqualTo(other.endToEnd());
        assertThat(a.stages()).isEqualTo(same.stages());
        assertThat(a.stage(Stage.COMMIT)).isNotEqualTo(other.stage(Stage.COMMIT));
        assertThat(a.systems()).contains("kafka");
        LatencyReport detached = ReportData.of(a).latency();
        assertThat(detached.systems()).isEmpty();
        assertThat(detached).isNotEqualTo(a);
        assertThat(detached.toTable()).isEqualTo(a.toTable());
        assertThat(LatencyReports.fromJson(LatencyReports.toJson(ReportData.of(a))).latency()).isEqualTo(detached)
                .isNotEqualTo(ReportData.of(other).latency());
    }

    @Test
    void onlyLatencyReportRegistersTheReportFactory() {
        assertThat(ReportAccess.factory()).isNotNull();
        assertThatThrownBy(() -> ReportAccess.register(ReportAccess.factory()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("only LatencyReport");
    }

    @Test
    void theFileCarriesTheDocumentedSummaryFields() throws IOException {
        SyntheticRun.Result run = SyntheticRun.run(new SyntheticRun.Options());
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) Json.parse(LatencyReports.toJson(run.data()));
        assertThat(root).containsEntry("schema", "latency-lib/report").containsEntry("version", 2L)
                .containsEntry("latencyUnit", "microseconds");
        @SuppressWarnings("unchecked")
        Map<String, Object> e2e = (Map<String, Object>) root.get("endToEndFromIntended");
        StageStats corrected = run.data().latency().endToEndFromIntended().orElseThrow();
        assertThat(e2e.get("count")).isEqualTo(corrected.count());
        assertThat(((Map<?, ?>) e2e.get("percentiles")).get("99.9")).isEqualTo(corrected.p999().toNanos() / 1000);
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
        SyntheticRun.Result run = SyntheticRun.run(new SyntheticRun.Options());
        keys(Json.parse(LatencyReports.toJson(run.data().withVerdicts(verdicts(run)))), written);
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

        assertThatThrownBy(() -> LatencyReports.fromJson(json.replace("\"version\": 2", "\"version\": 3")))
                .isInstanceOf(IOException.class).hasMessageContaining("version 3").hasMessageContaining("newer");
        assertThatThrownBy(() -> LatencyReports.fromJson(json.replace("\"version\": 2", "\"version\": 0")))
                .isInstanceOf(IOException.class).hasMessageContaining("reads versions 1 to 2");
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

    /** Objectives on the synthetic run: some pass, some fail (with and without a stage at fault), one measured nothing. */
    static List<Verdict> verdicts(SyntheticRun.Result run) {
        return SloCheck.evaluate(Slo.parseAll("p50 < 10s", "p99 < 1ms", "commit.p99.9 < 10us", "lost == 0",
                "throughput >= 1000000/s", "errors < 0.1%", "p99 < 50ms in every 1s window"), run.report());
    }

    @Test
    void verdictsReadBackEqualWithTheirStageAtFault() throws IOException {
        SyntheticRun.Result run = SyntheticRun.run(new SyntheticRun.Options());
        List<Verdict> verdicts = verdicts(run);
        assertThat(verdicts).extracting(Verdict::passed).containsExactly(true, false, false, true, false, true, false);
        assertThat(verdicts.get(1).stageAtFault()).isPresent();
        assertThat(verdicts.get(2).stageAtFault()).contains("commit");
        ReportData data = run.data().withVerdicts(verdicts);
        assertThat(data.verdicts()).isEqualTo(verdicts);
        assertThat(run.data().verdicts()).as("withVerdicts returns a copy").isEmpty();
        Path file = dir.resolve("verdicts.json");
        LatencyReports.writeJson(data, file);
        ReportData back = LatencyReports.readJson(file);
        assertThat(back).isEqualTo(data);
        assertThat(back.verdicts()).isEqualTo(verdicts);
        assertThat(LatencyReports.toJson(back)).isEqualTo(Files.readString(file));

        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(file));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> written = (List<Map<String, Object>>) root.get("verdicts");
        Verdict p99 = verdicts.get(1);
        assertThat(written.get(1)).containsEntry("objective", "p99 < 1ms").containsEntry("passed", false)
                .containsEntry("measuredText", p99.measuredText()).containsEntry("stageAtFault", p99.stageAtFault().get())
                .containsEntry("message", p99.message());
        assertThat(((Number) written.get(1).get("measured")).doubleValue()).isEqualTo(p99.measured());
        assertThat(written.get(0)).containsKeys("objective", "passed", "measured", "measuredText")
                .doesNotContainKeys("message", "stageAtFault");
        assertThat(written.get(6)).containsEntry("measured", null).containsEntry("measuredText", "nothing");
    }

    @Test
    void aVersion1FileWrittenBeforeVerdictsStillReads() throws IOException {
        String v1;
        try (InputStream in = getClass().getResourceAsStream("report-v1.json")) {
            assertThat(in).as("report-v1.json next to this test").isNotNull();
            v1 = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(v1).contains("\"version\": 1,").doesNotContain("verdicts");
        ReportData back = LatencyReports.fromJson(v1);
        assertThat(back.verdicts()).isEmpty();
        assertThat(back.load()).isPresent();
        assertThat(back.intervals()).isNotEmpty();
        // the same synthetic run that latency-lib 0.1.0-SNAPSHOT wrote to that file, before version 2; since then
        // catch-up is the consumer's busy time (latency model), so only what does not depend on that is compared
        ReportData same = SyntheticRun.run(new SyntheticRun.Options().steps(500_000, 400, 800)).data();
        for (Stage stage : List.of(Stage.PRODUCE, Stage.PUBLISH, Stage.COMMIT)) {
            assertThat(back.latency().stage(stage)).isEqualTo(same.latency().stage(stage));
        }
        assertThat(back.latency().endToEnd()).isEqualTo(same.latency().endToEnd());
        assertThat(back.latency().counts()).isEqualTo(same.latency().counts());  // counts added since read as 0
        assertThat(back.load().orElseThrow()).usingRecursiveComparison().comparingOnlyFields("schedule",
                "scheduleDuration", "targetRate", "achievedRate", "sent", "drained", "lateMessages")
                .isEqualTo(same.load().orElseThrow());
        // written again (version 2) and read back: nothing changes
        String again = LatencyReports.toJson(back);
        assertThat(again).contains("\"version\": 2,").contains("\"verdicts\": []");
        assertThat(LatencyReports.fromJson(again)).isEqualTo(back);
    }

    @Test
    void aBadVerdictIsRejectedNamingWhere() throws IOException {
        SyntheticRun.Result run = SyntheticRun.run(new SyntheticRun.Options().unpaced());
        String json = LatencyReports.toJson(run.data().withVerdicts(verdicts(run)));
        assertThatThrownBy(() -> LatencyReports.fromJson(json.replace("\"objective\": \"lost == 0\"",
                "\"objective\": \"lost ==\"")))
                .isInstanceOf(IOException.class).hasMessageContaining("verdicts[3].objective: not an objective");
        assertThatThrownBy(() -> LatencyReports.fromJson(json.replaceFirst("\"passed\": false", "\"passed\": \"no\"")))
                .isInstanceOf(IOException.class).hasMessageContaining("verdicts[1].passed: expected true or false");
        assertThatThrownBy(() -> LatencyReports.fromJson(json.replaceFirst("\"passed\": true", "\"passed\": false")))
                .isInstanceOf(IOException.class).hasMessageContaining("verdicts[0]: a failed verdict needs a message");
    }
}
