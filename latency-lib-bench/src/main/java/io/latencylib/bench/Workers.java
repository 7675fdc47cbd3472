package io.latencylib.bench;

import io.latencylib.LatencyReport;
import io.latencylib.load.Schedule;
import io.latencylib.load.WorkerShare;
import io.latencylib.report.LatencyReports;
import io.latencylib.report.ReportData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Several load generators sharing one global schedule: how many messages each must send, the merge of
 * their results, and the Kubernetes Indexed Job that starts them.
 */
final class Workers {

    /** Environment variables a worker reads (Kubernetes sets JOB_COMPLETION_INDEX for an Indexed Job). */
    static final String ENV_INDEX = "JOB_COMPLETION_INDEX";
    static final String ENV_COUNT = "LATENCY_BENCH_WORKERS";
    static final String ENV_T0 = "LATENCY_BENCH_T0";

    private Workers() {
    }

    /** @return how many measured messages (after the warm-up) of the global schedule belong to {@code share} */
    static long expected(double rate, Duration duration, Duration warmup, WorkerShare share) {
        Schedule full = warmup.isZero() ? Schedule.constant(rate, duration)
                : Schedule.constant(rate, warmup).then(Schedule.constant(rate, duration));
        Schedule.Cursor c = full.cursor();
        long warmNanos = warmup.toNanos();
        long n = 0;
        long due;
        for (long g = 0; (due = c.next()) >= 0; g++) {
            if (due >= warmNanos && (share == null || share.owns(g))) {
                n++;
            }
        }
        return n;
    }

    /** What a merge found. */
    record Merged(LatencyReport report, long globalExpected, long sentSum, long receivedSum, double achievedRate,
                  List<String> problems) {
    }

    /**
     * Adds the workers' results in {@code dir} (worker-*.latency.json and .bench.json): histograms exactly,
     * intervals by their index from T0, counts checked against the global schedule. Writes merged.*.
     */
    @SuppressWarnings("unchecked")
    static Merged merge(Path dir, PrintStream out) throws IOException {
        List<Path> summaries;
        try (Stream<Path> files = Files.list(dir)) {
            summaries = files.filter(p -> p.getFileName().toString().matches("worker-\\d+\\.bench\\.json")).sorted()
                    .toList();
        }
        if (summaries.isEmpty()) {
            throw new BenchException(dir + ": no worker-N.bench.json files to merge");
        }
        List<String> problems = new ArrayList<>();
        List<ReportData> data = new ArrayList<>();
        List<Map<String, Object>> sums = new ArrayList<>();
        int count = -1;
        String t0 = null;
        long globalExpected = 0;
        for (Path p : summaries) {
            Map<String, Object> m = (Map<String, Object>) YamlFile.parse(Files.readString(p));
            Map<String, Object> share = (Map<String, Object>) m.get("share");
            int c = ((Number) share.get("count")).intValue();
            if (count >= 0 && c != count || t0 != null && !t0.equals(share.get("t0"))) {
                throw new BenchException(p + ": a worker of another run (count " + c + ", T0 " + share.get("t0")
                        + "; others: " + count + ", " + t0 + ")");
            }
            count = c;
            t0 = (String) share.get("t0");
            sums.add(m);
            String base = p.toString().replaceAll("\\.bench\\.json$", "");
            data.add(LatencyReports.readJson(Path.of(base + ".latency.json")));
        }
        if (summaries.size() != count) {
            problems.add("found " + summaries.size() + " workers' results of " + count);
        }
        Map<String, Object> first = sums.get(0);
        double rate = ((Number) first.get("targetRate")).doubleValue();
        Duration duration = parse((String) first.get("duration"));
        Duration warmup = parse((String) first.get("warmup"));
        globalExpected = expected(rate, duration, warmup, null);
        long sentSum = 0;
        long receivedSum = 0;
        long expectedSum = 0;
        double achieved = 0;
        for (int i = 0; i < sums.size(); i++) {
            Map<String, Object> m = sums.get(i);
            Map<String, Object> counts = (Map<String, Object>) m.get("counts");
            Map<String, Object> share = (Map<String, Object>) m.get("share");
            long sent = ((Number) counts.get("sent")).longValue();
            long received = ((Number) counts.get("received")).longValue();
            long expected = ((Number) share.get("expectedSent")).longValue();
            sentSum += sent;
            receivedSum += received;
            expectedSum += expected;
            achieved += ((Number) m.get("achievedRate")).doubleValue();
            if (sent != expected) {
                problems.add("worker " + share.get("index") + " sent " + sent + " of its " + expected + " messages");
            }
        }
        if (expectedSum != globalExpected && summaries.size() == count) {
            problems.add("the workers' shares add up to " + expectedSum + ", the global schedule has " + globalExpected);
        }
        if (sentSum != globalExpected) {
            problems.add("sent " + sentSum + " in all, the global schedule has " + globalExpected);
        }
        LatencyReport merged = LatencyReports.merge(data.stream().map(ReportData::latency).toList());
        int n = data.stream().mapToInt(d -> d.intervals().size()).max().orElse(0);
        List<LatencyReport> intervals = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            List<LatencyReport> kth = new ArrayList<>();
            for (ReportData d : data) {
                if (k < d.intervals().size()) {
                    kth.add(d.intervals().get(k));
                }
            }
            intervals.add(LatencyReports.merge(kth));
        }
        ReportData all = ReportData.of(merged, intervals);
        Path base = dir.resolve("merged");
        LatencyReports.writeJson(all, Path.of(base + ".latency.json"));
        LatencyReports.writeHistogramLog(all, Path.of(base + ".hlog"));
        LatencyReports.writeHtml(all, Path.of(base + ".html"));
        List<OmbResult.Interval> omb = intervals.stream().map(r -> new OmbResult.Interval(r, 0)).toList();
        Files.writeString(Path.of(base + ".json"), JsonOut.write(OmbResult.of((String) first.get("workload"),
                (String) first.get("driver"), ((Number) first.get("messageSize")).longValue(), 1,
                ((Number) first.get("partitions")).intValue(), 0, 0, merged, omb)), StandardCharsets.UTF_8);

        Map<String, Object> summary = new LinkedHashMap<>(first);
        summary.remove("share");
        summary.remove("files");
        summary.put("workers", count);
        summary.put("t0", t0);
        summary.put("achievedRate", achieved);
        summary.put("endToEndCorrected", BenchRun.percentiles(merged.endToEndFromIntended().orElse(merged.endToEnd())));
        summary.put("endToEndUncorrected", BenchRun.percentiles(merged.endToEnd()));
        summary.put("stageAtFault", BenchRun.stageAtFault(merged));
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("globalSchedule", globalExpected);
        counts.put("sent", sentSum);
        counts.put("received", receivedSum);
        counts.put("lost", merged.counts().lost());
        counts.put("duplicated", merged.counts().duplicated());
        counts.put("implausible", merged.counts().implausible());
        summary.put("counts", counts);
        List<String> clocks = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            int idx = ((Number) ((Map<String, Object>) sums.get(i).get("share")).get("index")).intValue();
            LatencyReport r = data.get(i).latency();
            clocks.add(r.clockOffsetBounds().map(b -> String.format(Locale.ROOT, "producer worker %d -> consumer"
                            + " worker %d: broker clock - worker clock between %.3f and %.3f ms; affects publish and"
                            + " commit (they meet a broker timestamp), not end-to-end (one clock at both ends)",
                    idx, idx, b.lowerMicros() / 1000.0, b.upperMicros() / 1000.0))
                    .orElse("producer worker " + idx + " -> consumer worker " + idx + ": no broker timestamps, no"
                            + " bounds"));
        }
        summary.put("clockOffsets", clocks);
        summary.put("problems", problems);
        Files.writeString(Path.of(base + ".bench.json"), JsonOut.write(summary), StandardCharsets.UTF_8);

        out.println(merged.toTable());
        out.printf(Locale.ROOT, "merged %d workers (T0 %s): global schedule %d, sent %d, received %d, combined rate"
                + " %.1f msg/s%n", data.size(), t0, globalExpected, sentSum, receivedSum, achieved);
        clocks.forEach(out::println);
        problems.forEach(p -> out.println("PROBLEM: " + p));
        out.println("results: " + base + ".json (OMB TestResult), .latency.json, .hlog, .html, .bench.json");
        return new Merged(merged, globalExpected, sentSum, receivedSum, achieved, problems);
    }

    static Duration parse(String text) {
        String[] f = text.split(" ");
        long v = Long.parseLong(f[0]);
        return switch (f[1]) {
            case "min" -> Duration.ofMinutes(v);
            case "s" -> Duration.ofSeconds(v);
            default -> Duration.ofMillis(v);
        };
    }

    /**
     * The Kubernetes Indexed Job of {@code count} workers: parallelism = completions = count, each pod's index
     * from JOB_COMPLETION_INDEX (set by Kubernetes), T0 and the count in the environment, the OMB files from a
     * ConfigMap, results on a shared volume (a ReadWriteMany claim) that the merge reads.
     */
    static String manifest(String name, int count, Instant t0, String image, List<String> args, String cpu,
                           String memory, String configMap, String claim) {
        StringBuilder a = new StringBuilder();
        for (String arg : args) {
            a.append("            - \"").append(arg.replace("\"", "\\\"")).append("\"\n");
        }
        return """
                apiVersion: batch/v1
                kind: Job
                metadata:
                  name: %1$s
                  labels:
                    app.kubernetes.io/name: latency-bench
                spec:
                  completionMode: Indexed
                  completions: %2$d
                  parallelism: %2$d
                  backoffLimit: 0
                  template:
                    metadata:
                      labels:
                        app.kubernetes.io/name: latency-bench
                    spec:
                      restartPolicy: Never
                      containers:
                        - name: worker
                          image: %3$s
                          command: ["java", "-jar", "/opt/latency-bench/latency-bench.jar"]
                          args:
                            - "worker"
                %4$s          env:
                            - name: %5$s
                              value: "%2$d"
                            - name: %6$s
                              value: "%7$s"
                          # JOB_COMPLETION_INDEX (0..%8$d) is set by Kubernetes in every pod of an Indexed Job
                          resources:
                            requests:
                              cpu: "%9$s"
                              memory: "%10$s"
                            limits:
                              cpu: "%9$s"
                              memory: "%10$s"
                          volumeMounts:
                            - name: config
                              mountPath: /config
                              readOnly: true
                            - name: results
                              mountPath: /results
                      volumes:
                        - name: config
                          configMap:
                            name: %11$s
                        - name: results
                          persistentVolumeClaim:
                            claimName: %12$s
                """.formatted(name, count, image, a.toString().replace("            - ", "            - "), ENV_COUNT,
                ENV_T0, t0.toString(), count - 1, cpu, memory, configMap, claim);
    }
}
