package io.latencylib.bench;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import io.latencylib.load.LoadDriver;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.MaxThroughputSearch;
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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** Runs one workload on one driver (or one worker's share of it) and writes every result file. */
final class BenchRun {

    /** Command-line settings that apply to every run. */
    record Settings(Duration duration, Duration warmup, Double rate, Duration interval, Path output,
                    Duration probe, Duration probeWarmup, double searchStart) {
    }

    /** The files a run wrote and its headline figures. */
    record Result(Path base, Map<String, Object> summary, LoadReport report) {
    }

    private BenchRun() {
    }

    static Result run(Workload w, DriverFile d, DriverFile.Embedded embedded, Settings s, WorkerShare share,
                      String baseName, PrintStream out) throws IOException {
        Duration duration = s.duration() != null ? s.duration() : w.testDuration();
        Duration warmup = s.warmup() != null ? s.warmup() : w.warmupDuration();
        double rate = s.rate() != null ? s.rate() : w.producerRate();
        Files.createDirectories(s.output());
        Map<String, Object> summary = new LinkedHashMap<>();
        MaxThroughputSearch.Result search = null;
        if (rate == 0) {
            if (share != null) {
                throw new BenchException("producerRate: 0 (a max-rate search) cannot be split among workers: search"
                        + " with one process first, then give the workers the rate (--rate)");
            }
            out.printf(Locale.ROOT, "producerRate: 0 -> searching the max sustainable rate (coarse: %s probes after %s"
                    + " warm-up, each rate judged by a majority of 3; near the answer: one probe twice as long per rate,"
                    + " judged on its steady part; the answer must pass 3 of 3 confirmation probes)%n",
                    text(s.probe()), text(s.probeWarmup()));
            LoadDriver probeDriver = d.create(w.partitionsPerTopic(), embedded, true);
            printOverrides(d, out);
            search = search(w, probeDriver, "latency-bench-max-" + System.currentTimeMillis(), s.probe(),
                    s.probeWarmup(), s.searchStart());
            out.print(search.toTable());
            rate = search.maxRate();
            if (rate <= 0) {
                throw new IllegalStateException("the search found no sustainable rate");
            }
            out.printf(Locale.ROOT, "running the workload at the max sustainable rate, %.0f msg/s%n", rate);
        }
        LoadDriver driver = d.create(w.partitionsPerTopic(), embedded, false);
        if (search == null) {
            printOverrides(d, out);
        }
        LatencyRecorder recorder = recorder(w, rate);
        LatencyRecorder.IntervalReader reader = recorder.newIntervalReader();
        List<OmbResult.Interval> intervals = new ArrayList<>();
        String topic = share == null ? "latency-bench-" + System.currentTimeMillis()
                : "latency-bench-" + share.start().getEpochSecond() + "-w" + share.index();
        String who = share == null ? "" : "worker " + share.index() + "/" + share.count() + " ";
        out.printf(Locale.ROOT, "%s%s on %s (%s): %s msg/s%s of %d B for %s after a %s warm-up, %d producer(s),"
                        + " %d consumer(s), %d partition(s), topic %s%n", who, w.name(), d.name(), d.system(),
                fmt(rate), share == null ? "" : " in all (this worker: every " + share.count() + "th message)",
                w.messageSize(), text(duration), text(warmup), w.producersPerTopic(), w.consumerPerSubscription(),
                w.partitionsPerTopic(), topic);
        LoadRun.Builder run = configure(LoadRun.builder(driver), w)
                .destination(topic)
                .schedule(Schedule.constant(rate, duration))
                .warmUp(warmup)
                .recorder(recorder)
                .progressEvery(s.interval())
                .progressListener(p -> {
                    intervals.add(new OmbResult.Interval(reader.next(), p.backlog()));
                    out.println(who + p);
                });
        if (share != null) {
            run.workerShare(share);
        }
        LoadReport report;
        try {
            report = run.run();
        } finally {
            LatencyReport last = reader.next();
            intervals.add(new OmbResult.Interval(last, 0));
            reader.close();
        }
        List<OmbResult.Interval> measured = intervals.stream()
                .filter(i -> i.report().end().isAfter(report.report().start())).toList();
        List<LatencyReport> measuredReports = measured.stream().map(OmbResult.Interval::report).toList();

        Path base = s.output().resolve(baseName);
        Map<String, Object> omb = OmbResult.of(w.name(), d.name(), w.messageSize(), w.topics(), w.partitionsPerTopic(),
                w.producersPerTopic(), w.consumerPerSubscription(), report.report(), measured);
        Files.writeString(Path.of(base + ".json"), JsonOut.write(omb), StandardCharsets.UTF_8);
        ReportData data = ReportData.of(report, measuredReports);
        LatencyReports.writeJson(data, Path.of(base + ".latency.json"));
        LatencyReports.writeHistogramLog(data, Path.of(base + ".hlog"));
        LatencyReports.writeHtml(data, Path.of(base + ".html"));

        summary.put("system", d.system());
        summary.put("driver", d.name());
        summary.put("driverFile", d.file().toString());
        summary.put("workload", w.name());
        summary.put("workloadFile", w.file().toString());
        summary.put("messageSize", w.messageSize());
        summary.put("partitions", w.partitionsPerTopic());
        summary.put("targetRate", rate);
        summary.put("achievedRate", report.achievedRate());
        summary.put("medianSendRate", report.medianSendRate());
        summary.put("duration", text(duration));
        summary.put("warmup", text(warmup));
        summary.put("drained", report.drained());
        if (search != null) {
            summary.put("maxSustainableRate", search.maxRate());
            summary.put("probes", search.probes().stream().map(Object::toString).toList());
            summary.put("maxRateEvidence", search.evidence().stream().map(Object::toString).toList());
        }
        summary.put("endToEndCorrected", percentiles(report.endToEndCorrected()));
        summary.put("endToEndUncorrected", percentiles(report.endToEndUncorrected()));
        summary.put("stageAtFault", stageAtFault(report.report()));
        LatencyReport.Counts c = report.report().counts();
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("scheduled", report.sent());
        counts.put("sent", c.sent());
        counts.put("received", c.received());
        counts.put("lost", c.lost());
        counts.put("duplicated", c.duplicated());
        counts.put("sendErrors", c.sendErrors());
        counts.put("implausible", c.implausible());
        counts.put("evicted", c.evicted());
        long clamps = 0;
        for (Stage st : Stage.values()) {
            clamps += report.report().clamps(st);
        }
        counts.put("clamps", clamps);
        summary.put("counts", counts);
        report.report().clockOffsetBounds().ifPresent(b -> summary.put("clockOffsetMicros",
                List.of(b.lowerMicros(), b.upperMicros())));
        summary.put("overrides", d.overrides());
        if (share != null) {
            Map<String, Object> sh = new LinkedHashMap<>();
            sh.put("index", share.index());
            sh.put("count", share.count());
            sh.put("t0", share.start().toString());
            sh.put("expectedSent", Workers.expected(rate, duration, warmup, share));
            summary.put("share", sh);
        }
        summary.put("files", List.of(base + ".json", base + ".latency.json", base + ".hlog", base + ".html"));
        Files.writeString(Path.of(base + ".bench.json"), JsonOut.write(summary), StandardCharsets.UTF_8);

        out.println(report.toTable());
        out.printf(Locale.ROOT, "results: %s.json (OMB TestResult), %s.latency.json, .hlog, .html, .bench.json%n",
                base, base);
        return new Result(base, summary, report);
    }

    /** The max-rate search of producerRate: 0 (probes on fresh topics, deleted after each probe). */
    static MaxThroughputSearch.Result search(Workload w, LoadDriver driver, String prefix, Duration probe,
                                             Duration probeWarmup, double startRate) {
        return MaxThroughputSearch.builder(driver)
                .destinationPrefix(prefix)
                .startRate(startRate)
                .probeDuration(probe, probeWarmup)
                .configure(run -> configure(run, w).recorder(recorder(w, 100_000)))
                .run();
    }

    static LoadRun.Builder configure(LoadRun.Builder run, Workload w) {
        run.messageSize(w.messageSize()).keys(w.keys()).producers(w.producersPerTopic())
                .consumers(w.consumerPerSubscription());
        if (w.payload() != null) {
            run.payload(w.payload());
        }
        return run;
    }

    /** A recorder with room for about two seconds of messages in flight. */
    static LatencyRecorder recorder(Workload w, double rate) {
        if (w.consumerPerSubscription() == 0) {
            return LatencyRecorder.builder().producerOnly().build();
        }
        int capacity = Integer.highestOneBit((int) Math.min(1 << 22, Math.max(1 << 15, rate * 2))) << 1;
        return LatencyRecorder.builder().joinCapacity(Math.min(1 << 22, capacity)).build();
    }

    static Map<String, Object> percentiles(StageStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", s.count());
        m.put("p50", ms(s.p50()));
        m.put("p99", ms(s.p99()));
        m.put("p999", ms(s.p999()));
        m.put("max", ms(s.max()));
        return m;
    }

    /** @return the largest stage at p99, with its value, e.g. {@code produce 4.1 ms} */
    static String stageAtFault(LatencyReport r) {
        return r.stages().stream().filter(st -> st.count() > 0).max(Comparator.comparing(StageStats::p99))
                .map(st -> String.format(Locale.ROOT, "%s %.3f ms", st.name(), ms(st.p99()))).orElse("none");
    }

    static void printOverrides(DriverFile d, PrintStream out) {
        for (String o : d.overrides()) {
            out.println("override (embedded broker): " + o);
        }
    }

    static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    static String fmt(double rate) {
        return String.format(Locale.ROOT, "%,.0f", rate);
    }

    static String text(Duration d) {
        long ms = d.toMillis();
        return ms % 60_000 == 0 && ms > 0 ? (ms / 60_000) + " min" : ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    static String stamp() {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss", Locale.ROOT).withZone(ZoneOffset.UTC)
                .format(Instant.now());
    }

    static Consumer<String> none() {
        return x -> { };
    }
}
