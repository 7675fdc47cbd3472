package io.latencylib.report;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import io.latencylib.load.LoadReport;
import io.latencylib.slo.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Renders a report, or a comparison, as one self-contained XHTML-compatible HTML file: inline CSS and
 * SVG, no script, no font, no URL. Light and dark pages follow {@code prefers-color-scheme}; printing
 * uses the light palette.
 */
final class HtmlReport {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private HtmlReport() {
    }

    // ---------------------------------------------------------------- one run

    static String report(ReportData data) {
        LatencyReport l = data.latency();
        StringBuilder out = new StringBuilder(64 * 1024);
        long failed = data.verdicts().stream().filter(v -> !v.passed()).count();
        head(out, "Latency report " + TIME.format(l.start()) + (data.verdicts().isEmpty() ? ""
                : failed > 0 ? " \u2014 " + failed + " SLO" + (failed == 1 ? "" : "s") + " failed" : " \u2014 SLOs passed"));
        out.append("<header>\n<h1>Latency report</h1>\n<p class=\"meta\">")
                .append(Html.esc(TIME.format(l.start()) + " \u2192 " + TIME.format(l.end()) + " \u00b7 "
                        + seconds(l.duration()) + " \u00b7 " + Html.count(l.counts().sent()) + " sent, "
                        + Html.count(l.counts().received()) + " received"))
                .append("</p>\n");
        data.load().ifPresent(load -> out.append("<p class=\"meta\">Paced load: ").append(Html.esc(load.schedule()))
                .append("</p>\n"));
        out.append("</header>\n");
        verdicts(out, data.verdicts());
        kpis(out, l);

        boolean paced = l.endToEndFromIntended().isPresent();
        out.append("<section id=\"percentiles\">\n<h2>End-to-end latency by percentile</h2>\n<figure>\n");
        List<Svg.Curve> curves = new ArrayList<>();
        if (paced) {
            curves.add(new Svg.Curve("from the actual send (uncorrected)", "s2", l.endToEnd(), true));
            curves.add(new Svg.Curve("from the intended send (corrected)", "s1", l.endToEndFromIntended().get(), false));
        } else {
            curves.add(new Svg.Curve("end-to-end", "s1", l.endToEnd(), false));
        }
        out.append(Svg.percentileChart("chart-percentiles", "End-to-end latency by percentile, "
                + (paced ? "corrected and uncorrected" : "from the send instant"), curves, curves.size() - 1));
        out.append("<figcaption>").append(Html.esc(paced
                ? "Corrected: measured from each message\u2019s intended send instant, so a sender that fell behind"
                + " cannot hide a stall (coordinated omission). Uncorrected: from the actual send. "
                + "The percentile axis is logarithmic in 1/(1\u2212p), as HdrHistogram plots it."
                : "Measured from the send instant. The percentile axis is logarithmic in 1/(1\u2212p),"
                + " as HdrHistogram plots it.")).append("</figcaption>\n</figure>\n</section>\n");

        out.append("<section id=\"stages\">\n<h2>Where the time went: stages at p50, p99 and p99.9</h2>\n<figure>\n");
        List<Svg.Group> groups = new ArrayList<>();
        for (StageStats s : l.stages()) {
            groups.add(new Svg.Group(s.name(), new double[] {ms(s.p50()), ms(s.p99()), ms(s.p999())}));
        }
        out.append(Svg.groupedBarChart("chart-stages", "Stage latency at p50, p99 and p99.9, in milliseconds",
                List.of("p50", "p99", "p99.9"), groups, "latency (ms)"));
        out.append("<figcaption>").append(Html.esc(l.stages().stream().anyMatch(StageStats::isMerged)
                ? "Stages joined by \u201c+\u201d are merged: a boundary between them was not observed"
                + (l.notes().isEmpty() ? "." : " (see the notes).")
                : "The five stages of each message add up exactly to its end-to-end latency; percentiles of"
                + " stages do not add up.")).append("</figcaption>\n</figure>\n</section>\n");

        timeline(out, data);
        latencyTable(out, l);
        details(out, l);
        data.load().ifPresent(load -> load(out, load));
        environment(out, data.environment());
        out.append("<details>\n<summary>Plain-text table</summary>\n<pre>").append(Html.esc(l.toTable()))
                .append("</pre>\n</details>\n");
        out.append("<footer>Written by latency-lib ").append(Html.esc(data.environment().libraryVersion()))
                .append(". Values in milliseconds unless stated; percentiles from HdrHistogram (3 significant digits).</footer>\n");
        return out.append("</body>\n</html>\n").toString();
    }

    /** The objectives checked, failed ones first in their given order, then the reasons of the failures. */
    private static void verdicts(StringBuilder out, List<Verdict> verdicts) {
        if (verdicts.isEmpty()) {
            return;
        }
        long failed = verdicts.stream().filter(v -> !v.passed()).count();
        String result = failed > 0 ? "fail" : "pass";
        out.append("<section id=\"verdicts\" class=\"verdicts ").append(result).append("\">\n<h2>")
                .append(Html.esc(failed > 0
                        ? "SLO verdicts: " + failed + " of " + verdicts.size() + " failed"
                        : "SLO verdicts: " + (verdicts.size() == 1 ? "the objective" : "all " + verdicts.size()
                        + " objectives") + " passed"))
                .append("</h2>\n<table id=\"verdict-table\">\n<thead><tr><th scope=\"col\">verdict</th>"
                        + "<th scope=\"col\">objective</th><th scope=\"col\" class=\"n\">measured</th>")
                .append(failed > 0 ? "<th scope=\"col\">stage at fault</th>" : "").append("</tr></thead>\n<tbody>\n");
        for (Verdict v : verdicts) {
            String cls = v.passed() ? "pass" : "fail";
            out.append("<tr class=\"").append(cls).append("\"><td><span class=\"badge ").append(cls).append("\">")
                    .append(v.passed() ? "PASS" : "FAIL").append("</span></td><th scope=\"row\"><code>")
                    .append(Html.esc(v.slo().toString())).append("</code></th><td class=\"n\">")
                    .append(Html.esc(v.measuredText()))
                    .append(v.slo().window().isPresent() && !Double.isNaN(v.measured())
                            ? " <span class=\"unit\">worst window</span>" : "")
                    .append("</td>");
            if (failed > 0) {
                out.append("<td>").append(v.stageAtFault().map(st -> "<strong>" + Html.esc(st) + "</strong>")
                        .orElse(v.passed() ? "" : "\u2013")).append("</td>");
            }
            out.append("</tr>\n");
        }
        out.append("</tbody>\n</table>\n");
        int i = 0;
        for (Verdict v : verdicts) {
            i++;
            if (!v.passed()) {
                out.append("<div class=\"why\" id=\"verdict-").append(i).append("\"><p><span class=\"badge fail\">FAIL"
                        + "</span> <code>").append(Html.esc(v.slo().toString())).append("</code>")
                        .append(v.stageAtFault().map(st -> " \u2014 stage at fault: <strong>" + Html.esc(st) + "</strong>")
                                .orElse(""))
                        .append("</p>\n<pre>").append(Html.esc(v.message())).append("</pre></div>\n");
            }
        }
        out.append("</section>\n");
    }

    private static void kpis(StringBuilder out, LatencyReport l) {
        StageStats e2e = ReportData.endToEndCorrected(l);
        boolean paced = l.endToEndFromIntended().isPresent();
        out.append("<section class=\"kpis\" aria-label=\"Summary\">\n");
        String[] names = {"p50", "p99", "p99.9", "max"};
        double[] percentiles = {50, 99, 99.9, 100};
        for (int i = 0; i < names.length; i++) {
            String sub = paced ? "actual send: " + Html.ms(ms(l.endToEnd().percentile(percentiles[i]))) + " ms"
                    : "from the send";
            kpi(out, "end-to-end " + names[i] + (paced ? " (corrected)" : ""),
                    e2e.count() == 0 ? "\u2013" : Html.ms(ms(e2e.percentile(percentiles[i]))), "ms", sub, "");
        }
        kpi(out, "received", Html.rate(l.receivedPerSecond()), "msg/s", Html.count(l.counts().received()) + " messages", "");
        kpi(out, "lost", Html.count(l.counts().lost()), "", "duplicated " + Html.count(l.counts().duplicated()),
                l.counts().lost() > 0 ? " bad" : "");
        out.append("</section>\n");
    }

    private static void kpi(StringBuilder out, String label, String value, String unit, String sub, String cls) {
        out.append("<div class=\"kpi").append(cls).append("\"><div class=\"label\">").append(Html.esc(label))
                .append("</div><div class=\"value\">").append(Html.esc(value));
        if (!unit.isEmpty()) {
            out.append(" <span class=\"unit\">").append(Html.esc(unit)).append("</span>");
        }
        out.append("</div><div class=\"sub\">").append(Html.esc(sub)).append("</div></div>\n");
    }

    /** Rate and p99 over time, from the backlog samples, per-step entries or interval reports. */
    private static void timeline(StringBuilder out, ReportData data) {
        LatencyReport l = data.latency();
        Optional<LoadData> load = data.load();
        List<LatencyReport> intervals = data.intervals();
        if (load.isEmpty() && intervals.isEmpty()) {
            return;
        }
        // Backlog samples count from the start of the run, warm-up included; the last one is taken
        // when the run ends, right before the report, so the run started about then minus its elapsed time.
        Instant t0 = l.start();
        if (load.isPresent() && !load.get().backlog().isEmpty()) {
            List<LoadReport.BacklogSample> b = load.get().backlog();
            Instant estimated = l.end().minus(b.get(b.size() - 1).elapsed());
            if (estimated.isBefore(t0)) {
                t0 = estimated;
            }
        }
        double warmUp = seconds(t0, l.start());
        double xMax = seconds(t0, l.end());

        List<Svg.Line> rate = new ArrayList<>();
        List<Svg.Line> p99 = new ArrayList<>();
        Svg.Line targetLine = null;
        if (load.isPresent()) {
            LoadData ld = load.get();
            double scheduleEnd = warmUp + ld.scheduleDuration().toNanos() / 1e9;
            List<double[]> target = new ArrayList<>();
            List<double[]> corrected = new ArrayList<>();
            List<double[]> uncorrected = new ArrayList<>();
            if (ld.steps().isEmpty()) {
                target.add(new double[] {warmUp, ld.targetRate()});
                target.add(new double[] {scheduleEnd, ld.targetRate()});
            }
            for (LoadData.Step s : ld.steps()) {
                double from = Math.max(warmUp, seconds(t0, s.latency().start()));
                double to = Math.min(Math.max(from, seconds(t0, s.latency().end())), Math.max(from, scheduleEnd));
                target.add(new double[] {from, s.targetRate()});
                target.add(new double[] {to, s.targetRate()});
                LatencyReport sl = s.latency();
                StageStats slc = ReportData.endToEndCorrected(sl);
                double c = slc.count() == 0 ? Double.NaN : ms(slc.p99());
                double u = sl.endToEnd().count() == 0 ? Double.NaN : ms(sl.endToEnd().p99());
                double stepEnd = Math.max(from, seconds(t0, s.latency().end()));
                corrected.add(new double[] {from, c});
                corrected.add(new double[] {stepEnd, c});
                uncorrected.add(new double[] {from, u});
                uncorrected.add(new double[] {stepEnd, u});
            }
            List<LoadReport.BacklogSample> b = ld.backlog();
            if (b.size() >= 2 && intervals.isEmpty()) {
                List<double[]> sent = new ArrayList<>();
                List<double[]> received = new ArrayList<>();
                for (int i = 1; i < b.size(); i++) {
                    double from = b.get(i - 1).elapsed().toNanos() / 1e9;
                    double to = b.get(i).elapsed().toNanos() / 1e9;
                    if (to <= from) {
                        continue;
                    }
                    double s = (b.get(i).sent() - b.get(i - 1).sent()) / (to - from);
                    double r = (b.get(i).received() - b.get(i - 1).received()) / (to - from);
                    sent.add(new double[] {from, s});
                    sent.add(new double[] {to, s});
                    received.add(new double[] {from, r});
                    received.add(new double[] {to, r});
                    xMax = Math.max(xMax, to);
                }
                rate.add(new Svg.Line("received", "s3", received, false, true));
                rate.add(new Svg.Line("sent", "s1", sent, false));
            }
            targetLine = new Svg.Line("target", "s4", target, true);
            if (intervals.isEmpty()) {
                p99.add(new Svg.Line("p99 from the intended send (corrected), per step", "s1", corrected, false));
                if (l.endToEndFromIntended().isPresent()) {
                    p99.add(new Svg.Line("p99 from the actual send, per step", "s2", uncorrected, true));
                }
            }
        }
        if (!intervals.isEmpty()) {
            List<double[]> sent = new ArrayList<>();
            List<double[]> received = new ArrayList<>();
            List<double[]> corrected = new ArrayList<>();
            List<double[]> uncorrected = new ArrayList<>();
            boolean paced = intervals.stream().anyMatch(i -> i.endToEndFromIntended().isPresent());
            // a much shorter interval (the rest at the end of a run) gives a noisy rate: left out of the rate chart
            double[] lengths = intervals.stream().mapToDouble(i -> seconds(i.start(), i.end())).sorted().toArray();
            double shortest = lengths[lengths.length / 2] / 4;
            for (LatencyReport i : intervals) {
                // an interval that began in the warm-up holds only measured messages: drawn from its end
                double from = Math.max(warmUp, seconds(t0, i.start()));
                double to = seconds(t0, i.end());
                if (to <= from) {
                    continue;
                }
                if (to - from >= shortest) {
                    double sentRate = i.counts().sent() / (to - from);
                    double receivedRate = i.counts().received() / (to - from);
                    sent.add(new double[] {from, sentRate});
                    sent.add(new double[] {to, sentRate});
                    received.add(new double[] {from, receivedRate});
                    received.add(new double[] {to, receivedRate});
                }
                StageStats c = ReportData.endToEndCorrected(i);
                double cv = c.count() == 0 ? Double.NaN : ms(c.p99());
                double uv = i.endToEnd().count() == 0 ? Double.NaN : ms(i.endToEnd().p99());
                corrected.add(new double[] {from, cv});
                corrected.add(new double[] {to, cv});
                uncorrected.add(new double[] {from, uv});
                uncorrected.add(new double[] {to, uv});
                xMax = Math.max(xMax, to);
            }
            rate.add(new Svg.Line("received", "s3", received, false, true));
            rate.add(new Svg.Line("sent", "s1", sent, false));
            p99.add(new Svg.Line(paced ? "p99 from the intended send (corrected)" : "p99 end-to-end", "s1", corrected, false));
            if (paced) {
                p99.add(new Svg.Line("p99 from the actual send", "s2", uncorrected, true));
            }
        }
        if (targetLine != null) {
            rate.add(targetLine);
        }
        out.append("<section id=\"over-time\">\n<h2>Rate and p99 over time</h2>\n<figure>\n");
        out.append(Svg.timeChart("chart-rate", "Message rate over time, messages per second", rate, xMax, warmUp,
                "warm-up (not measured)", "messages per second", Html::shortRate));
        out.append("</figure>\n<figure>\n");
        out.append(Svg.timeChart("chart-p99", "End-to-end p99 over time, in milliseconds", p99, xMax, warmUp,
                "warm-up (not measured)", "p99 (ms)", null));
        out.append("<figcaption>").append(Html.esc(intervals.isEmpty()
                ? "Per step: the latency of the messages completed while the step ran. Rates from the backlog samples."
                : "Per interval: the latency and rates of the messages completed in each interval report."))
                .append("</figcaption>\n</figure>\n</section>\n");
    }

    private static void latencyTable(StringBuilder out, LatencyReport l) {
        out.append("<section id=\"table\">\n<h2>Latency table</h2>\n<table id=\"latency-table\">\n<thead><tr>"
                + "<th scope=\"col\">latency (ms)</th>");
        for (String h : new String[] {"count", "min", "p50", "p90", "p99", "p99.9", "p99.99", "max", "mean"}) {
            out.append("<th scope=\"col\" class=\"n\">").append(h).append("</th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        for (StageStats s : l.stages()) {
            row(out, s.name() + (s.isMerged() ? " (merged)" : ""), s, "");
        }
        row(out, "end-to-end", l.endToEnd(), " class=\"total first\"");
        l.endToEndFromIntended().ifPresent(d -> row(out, "end-to-end from intended (corrected)", d, " class=\"total\""));
        l.producerLatency().ifPresent(d -> row(out, "producer (send \u2192 ack)", d, " class=\"other first\""));
        l.lateness().ifPresent(d -> row(out, "lateness (actual \u2212 intended)", d,
                l.producerLatency().isPresent() ? " class=\"other\"" : " class=\"other first\""));
        out.append("</tbody>\n</table>\n</section>\n");
    }

    private static void row(StringBuilder out, String name, StageStats d, String cls) {
        out.append("<tr").append(cls).append("><th scope=\"row\">").append(Html.esc(name)).append("</th><td class=\"n\">")
                .append(Html.count(d.count())).append("</td>");
        if (d.count() == 0) {
            out.append("<td class=\"n\" colspan=\"8\">\u2013</td></tr>\n");
            return;
        }
        for (Duration v : new Duration[] {d.min(), d.p50(), d.p90(), d.p99(), d.p999(), d.p9999(), d.max(), d.mean()}) {
            out.append("<td class=\"n\">").append(Html.ms3(ms(v))).append("</td>");
        }
        out.append("</tr>\n");
    }

    private static void details(StringBuilder out, LatencyReport l) {
        LatencyReport.Counts c = l.counts();
        out.append("<section id=\"counts\">\n<h2>Counts, clamps and clocks</h2>\n<dl class=\"kv\">\n");
        for (java.lang.reflect.RecordComponent field : LatencyReport.Counts.class.getRecordComponents()) {
            try {
                kv(out, words(field.getName()), Html.count((Long) field.getAccessor().invoke(c)));
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new IllegalStateException(e);
            }
        }
        kv(out, "sent per second", Html.rate(l.sentPerSecond()));
        kv(out, "received per second", Html.rate(l.receivedPerSecond()));
        out.append("</dl>\n<ul class=\"facts\">\n");
        List<String> clamps = new ArrayList<>();
        for (Stage s : Stage.values()) {
            if (l.clamps(s) > 0) {
                clamps.add("end of " + s.label() + ": " + Html.count(l.clamps(s))
                        + l.largestClamp(s).map(d -> " (largest " + Html.ms3(ms(d)) + " ms)").orElse(""));
            }
        }
        out.append("<li><strong>Clamps:</strong> ").append(Html.esc(clamps.isEmpty() ? "none" : String.join("; ", clamps)))
                .append("</li>\n");
        l.clockOffsetBounds().ifPresent(b -> out.append("<li><strong>Clock offset broker \u2212 client:</strong> ")
                .append(Html.esc("between " + Html.ms3(b.lowerMicros() / 1000.0) + " ms and "
                        + Html.ms3(b.upperMicros() / 1000.0) + " ms"))
                .append("</li>\n"));
        for (String note : l.notes()) {
            out.append("<li class=\"note\"><strong>Note:</strong> ").append(Html.esc(note)).append("</li>\n");
        }
        out.append("</ul>\n</section>\n");
    }

    private static void load(StringBuilder out, LoadData load) {
        out.append("<section id=\"load\">\n<h2>Load</h2>\n<p><strong>Schedule:</strong> ").append(Html.esc(load.schedule()))
                .append("</p>\n<dl class=\"kv\">\n");
        kv(out, "target rate", Html.rate(load.targetRate()) + " msg/s");
        kv(out, "achieved rate", Html.rate(load.achievedRate()) + " msg/s");
        kv(out, "sent (measured)", Html.count(load.sent()));
        kv(out, "drained", load.drained() ? "yes" : "NO: messages were still in flight at the end");
        kv(out, "backlog growth", String.format(Locale.ROOT, "%.1f msg/s", load.backlogGrowthPerSecond()));
        kv(out, "late by more than " + LoadReport.LATE_THRESHOLD.toMillis() + " ms", Html.count(load.lateMessages()));
        out.append("</dl>\n");
        if (!load.steps().isEmpty()) {
            out.append("<table id=\"steps-table\">\n<thead><tr><th scope=\"col\">step</th>");
            for (String h : new String[] {"target msg/s", "achieved msg/s", "completed", "p50 (ms)", "p99 (ms)",
                    "corrected p99 (ms)", "corrected p99.9 (ms)"}) {
                out.append("<th scope=\"col\" class=\"n\">").append(Html.esc(h)).append("</th>");
            }
            out.append("</tr></thead>\n<tbody>\n");
            for (LoadData.Step s : load.steps()) {
                LatencyReport l = s.latency();
                StageStats c = ReportData.endToEndCorrected(l);
                out.append("<tr><th scope=\"row\">").append(Html.esc(s.schedule())).append("</th>");
                cell(out, Html.rate(s.targetRate()));
                cell(out, Html.rate(s.achievedRate()));
                cell(out, Html.count(l.endToEnd().count()));
                cell(out, l.endToEnd().count() == 0 ? "\u2013" : Html.ms3(ms(l.endToEnd().p50())));
                cell(out, l.endToEnd().count() == 0 ? "\u2013" : Html.ms3(ms(l.endToEnd().p99())));
                cell(out, c.count() == 0 ? "\u2013" : Html.ms3(ms(c.p99())));
                cell(out, c.count() == 0 ? "\u2013" : Html.ms3(ms(c.p999())));
                out.append("</tr>\n");
            }
            out.append("</tbody>\n</table>\n");
        }
        out.append("</section>\n");
    }

    private static void cell(StringBuilder out, String text) {
        out.append("<td class=\"n\">").append(Html.esc(text)).append("</td>");
    }

    private static void environment(StringBuilder out, Environment e) {
        out.append("<section id=\"environment\">\n<h2>Environment</h2>\n<dl class=\"kv\">\n");
        kv(out, "latency-lib", e.libraryVersion());
        kv(out, "Java", e.javaVersion() + " (" + e.javaVendor() + ")");
        kv(out, "OS", e.osName() + " " + e.osVersion() + " (" + e.osArch() + ")");
        kv(out, "processors", Integer.toString(e.availableProcessors()));
        kv(out, "kafka-clients", e.kafkaClientsVersion().orElse("not on the class path"));
        out.append("</dl>\n</section>\n");
    }

    private static void kv(StringBuilder out, String key, String value) {
        out.append("<div><dt>").append(Html.esc(key)).append("</dt><dd>").append(Html.esc(value)).append("</dd></div>\n");
    }

    // ---------------------------------------------------------------- comparison

    static String comparison(ReportComparison c) {
        StringBuilder out = new StringBuilder(32 * 1024);
        head(out, "Latency comparison");
        LatencyReport b = c.baseline().latency();
        LatencyReport k = c.candidate().latency();
        out.append("<header>\n<h1>Latency comparison</h1>\n");
        out.append("<p class=\"meta\"><strong>Baseline:</strong> ").append(Html.esc(ReportComparison.describe(c.baseline())
                + ", " + Html.count(b.counts().received()) + " received")).append("</p>\n");
        out.append("<p class=\"meta\"><strong>Candidate:</strong> ").append(Html.esc(ReportComparison.describe(c.candidate())
                + ", " + Html.count(k.counts().received()) + " received")).append("</p>\n</header>\n");

        boolean corrected = b.endToEndFromIntended().isPresent() && k.endToEndFromIntended().isPresent();
        out.append("<section id=\"percentiles\">\n<h2>End-to-end latency by percentile").append(corrected
                ? " (corrected)" : "").append("</h2>\n<figure>\n");
        List<Svg.Curve> curves = List.of(
                new Svg.Curve("baseline", "s2", corrected ? ReportData.endToEndCorrected(b) : b.endToEnd(), true),
                new Svg.Curve("candidate", "s1", corrected ? ReportData.endToEndCorrected(k) : k.endToEnd(), false));
        out.append(Svg.percentileChart("chart-comparison", "End-to-end latency by percentile, baseline and candidate",
                curves, 1));
        out.append("</figure>\n</section>\n");

        out.append("<section id=\"deltas\">\n<h2>Deltas per stage and percentile</h2>\n<table id=\"comparison-table\">\n"
                + "<thead><tr><th scope=\"col\">latency (ms)</th><th scope=\"col\">percentile</th>"
                + "<th scope=\"col\" class=\"n\">baseline</th><th scope=\"col\" class=\"n\">candidate</th>"
                + "<th scope=\"col\" class=\"n\">delta</th><th scope=\"col\" class=\"n\">delta %</th></tr></thead>\n<tbody>\n");
        String previous = null;
        int groupSize = ReportComparison.LABELS.length;
        for (ReportComparison.Row r : c.rows()) {
            boolean first = !r.series().equals(previous);
            out.append(first ? "<tr class=\"first\">" : "<tr>");
            if (first) {
                out.append("<th scope=\"rowgroup\" rowspan=\"").append(groupSize).append("\">").append(Html.esc(r.series()))
                        .append("</th>");
            }
            double pct = r.deltaPercent().orElse(0);
            String cls = pct >= 5 ? " worse" : pct <= -5 ? " better" : "";
            out.append("<td>").append(r.percentile()).append("</td>");
            out.append("<td class=\"n\">").append(Html.ms3(ms(r.baseline()))).append("</td>");
            out.append("<td class=\"n\">").append(Html.ms3(ms(r.candidate()))).append("</td>");
            out.append("<td class=\"n").append(cls).append("\">").append(Html.esc(ReportComparison.signedMs(r.delta())))
                    .append("</td>");
            out.append("<td class=\"n").append(cls).append("\">").append(Html.esc(ReportComparison.percentText(r)))
                    .append("</td></tr>\n");
            previous = r.series();
        }
        out.append("</tbody>\n</table>\n<p class=\"caption\">")
                .append(Html.esc("Delta = candidate \u2212 baseline: positive is slower. Deltas of 5 % or more are"
                        + " highlighted (slower in red, faster in green)."))
                .append("</p>\n");
        if (!c.onlyInBaseline().isEmpty()) {
            out.append("<p>Only in the baseline: ").append(Html.esc(String.join(", ", c.onlyInBaseline()))).append("</p>\n");
        }
        if (!c.onlyInCandidate().isEmpty()) {
            out.append("<p>Only in the candidate: ").append(Html.esc(String.join(", ", c.onlyInCandidate()))).append("</p>\n");
        }
        out.append("</section>\n<details>\n<summary>Plain-text table</summary>\n<pre>").append(Html.esc(c.toText()))
                .append("</pre>\n</details>\n</body>\n</html>\n");
        return out.toString();
    }

    // ---------------------------------------------------------------- page

    private static void head(StringBuilder out, String title) {
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<meta name=\"color-scheme\" content=\"light dark\"/>\n")
                .append("<title>").append(Html.esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n")
                .append("</head>\n<body>\n");
    }

    private static final String CSS = """
            :root {
              color-scheme: light dark;
              --bg: #ffffff; --fg: #1b1f24; --muted: #4f5863; --border: #d0d7de; --card: #f6f8fa;
              --grid: rgba(27, 31, 36, 0.13); --grid-minor: rgba(27, 31, 36, 0.05); --shade: rgba(100, 110, 120, 0.12);
              --s1: #0550ae; --s2: #bc4c00; --s3: #1a7f37; --s4: #8250df;
              --bad: #b42318; --good: #116329;
            }
            @media (prefers-color-scheme: dark) {
              :root {
                --bg: #0d1117; --fg: #e6edf3; --muted: #a5b0bb; --border: #3d444d; --card: #161b22;
                --grid: rgba(230, 237, 243, 0.16); --grid-minor: rgba(230, 237, 243, 0.06); --shade: rgba(160, 170, 180, 0.13);
                --s1: #79c0ff; --s2: #ffa657; --s3: #56d364; --s4: #d2a8ff;
                --bad: #ff8182; --good: #6fdd8b;
              }
            }
            @media print {
              :root {
                --bg: #ffffff; --fg: #000000; --muted: #333333; --border: #999999; --card: #ffffff;
                --grid: rgba(0, 0, 0, 0.18); --grid-minor: rgba(0, 0, 0, 0.07); --shade: rgba(0, 0, 0, 0.08);
                --s1: #0550ae; --s2: #bc4c00; --s3: #1a7f37; --s4: #8250df; --bad: #a40e26; --good: #116329;
              }
              body { max-width: none; padding: 0; font-size: 10pt; }
              section, figure, table, .kpis { break-inside: avoid; page-break-inside: avoid; }
              details { display: none; }
            }
            @page { margin: 14mm; }
            * { box-sizing: border-box; }
            html { background: var(--bg); }
            body {
              margin: 0 auto; padding: 24px 28px 40px; max-width: 1120px; background: var(--bg); color: var(--fg);
              font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
            }
            h1 { font-size: 26px; margin: 0 0 4px; }
            h2 { font-size: 19px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
            .meta, figcaption, .caption, footer { color: var(--muted); }
            .meta { margin: 2px 0; }
            figure { margin: 0 0 12px; }
            figcaption, .caption { font-size: 13.5px; margin-top: 4px; }
            footer { margin-top: 28px; font-size: 13px; }
            .kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-top: 18px; }
            .kpi { border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; background: var(--card); }
            .kpi .label { color: var(--muted); font-size: 13px; }
            .kpi .value { font-size: 25px; font-weight: 650; font-variant-numeric: tabular-nums; }
            .kpi .unit, .kpi .sub { color: var(--muted); font-size: 13px; font-weight: 400; }
            .kpi.bad .value { color: var(--bad); }
            section.verdicts { margin-top: 18px; padding: 4px 16px 12px; border: 1px solid var(--border);
              border-left: 6px solid var(--good); border-radius: 8px; background: var(--card); }
            section.verdicts.fail { border-left-color: var(--bad); }
            section.verdicts h2 { margin-top: 10px; border-bottom: none; }
            section.verdicts.pass h2 { color: var(--good); }
            section.verdicts.fail h2 { color: var(--bad); }
            .badge { display: inline-block; min-width: 3.6em; padding: 1px 8px; border-radius: 4px; text-align: center;
              font-size: 13px; font-weight: 700; letter-spacing: 0.04em; color: var(--bg); }
            .badge.pass { background: var(--good); }
            .badge.fail { background: var(--bad); }
            #verdict-table tr.fail > td, #verdict-table tr.fail > th { color: var(--bad); }
            #verdict-table code, .why code { font: 600 14px ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; }
            .why { margin-top: 14px; }
            .why p { margin: 0 0 6px; }
            .why pre { margin: 0; white-space: pre-wrap; background: var(--bg); }
            svg.chart { display: block; width: 100%; height: auto; color: var(--fg); }
            svg.chart text { fill: currentColor; font-size: 13px; }
            svg.chart .tick, svg.chart .axis-title { fill: var(--muted); }
            svg.chart .tick { font-variant-numeric: tabular-nums; }
            svg.chart .legend { font-size: 14px; }
            svg.chart .group { font-size: 14px; font-weight: 600; }
            svg.chart .value { font-size: 12px; font-variant-numeric: tabular-nums; }
            svg.chart .annotation { font-size: 13px; font-weight: 600; paint-order: stroke; stroke: var(--bg);
              stroke-width: 4px; stroke-linejoin: round; }
            svg.chart .grid { stroke: var(--grid); stroke-width: 1; }
            svg.chart .grid.minor { stroke: var(--grid-minor); }
            svg.chart .axis { stroke: currentColor; stroke-opacity: 0.6; stroke-width: 1.2; }
            svg.chart .shade { fill: var(--shade); }
            svg.chart .shade-label { fill: var(--muted); paint-order: stroke; stroke: var(--bg); stroke-width: 4px;
              stroke-linejoin: round; }
            svg.chart .curve { fill: none; stroke-width: 2.5; stroke-linejoin: round; }
            svg.chart .dashed { stroke-dasharray: 8 5; stroke-width: 2.2; }
            svg.chart .wide { stroke-width: 7; stroke-opacity: 0.45; }
            svg.chart .mark { fill: var(--bg); stroke-width: 2.5; }
            svg.chart .s1 { stroke: var(--s1); } svg.chart .s2 { stroke: var(--s2); }
            svg.chart .s3 { stroke: var(--s3); } svg.chart .s4 { stroke: var(--s4); }
            svg.chart .bar { stroke: none; }
            svg.chart .bar.s1 { fill: var(--s1); } svg.chart .bar.s2 { fill: var(--s2); }
            svg.chart .bar.s3 { fill: var(--s3); } svg.chart .bar.s4 { fill: var(--s4); }
            svg.chart .annotation.s1, svg.chart text.s1 { fill: var(--s1); }
            table { border-collapse: collapse; width: 100%; font-size: 14px; font-variant-numeric: tabular-nums; }
            th, td { padding: 5px 9px; border-bottom: 1px solid var(--border); text-align: left; }
            thead th { border-bottom: 2px solid var(--fg); font-weight: 600; vertical-align: bottom; }
            tbody th { font-weight: 500; }
            .n { text-align: right; white-space: nowrap; }
            tr.first > * { border-top: 2px solid var(--border); }
            tr.total > * { font-weight: 650; }
            .worse { color: var(--bad); font-weight: 650; }
            .better { color: var(--good); font-weight: 650; }
            dl.kv { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 6px 18px; margin: 0 0 10px; }
            dl.kv div { display: flex; justify-content: space-between; gap: 10px; border-bottom: 1px dotted var(--border); padding: 2px 0; }
            dl.kv dt { color: var(--muted); }
            dl.kv dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; text-align: right; }
            #load dl.kv, #environment dl.kv { grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); }
            ul.facts { padding-left: 20px; margin: 8px 0; }
            ul.facts li { margin: 3px 0; }
            #steps-table { margin-top: 12px; }
            #steps-table tbody th { white-space: nowrap; }
            #comparison-table th[scope="rowgroup"] { vertical-align: top; font-weight: 600; }
            details { margin-top: 26px; }
            summary { cursor: pointer; color: var(--muted); }
            pre { font: 12.5px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
              overflow-x: auto; padding: 12px; background: var(--card); border: 1px solid var(--border); border-radius: 6px; }
            """;

    // ---------------------------------------------------------------- helpers

    /** {@code sendErrors} → {@code send errors}; {@code acked} → {@code acknowledged}. */
    private static String words(String camel) {
        return camel.equals("acked") ? "acknowledged" : camel.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
