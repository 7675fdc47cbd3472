package io.latencylib.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Several systems or runs side by side, from their {@code .bench.json} summaries: peak sustainable
 * throughput per system, then end-to-end p50/p99/p99.9 at each fixed rate with the stage at fault.
 * One self-contained HTML file: no scripts, fonts or URLs; light and dark.
 */
final class ComparisonPage {

    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948"};

    private ComparisonPage() {
    }

    /** @return the summaries in {@code paths} (files, or directories searched for *.bench.json) */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> read(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.getFileName().toString().endsWith(".bench.json")
                            && !f.getFileName().toString().startsWith("worker-")).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new BenchException("no such result file or directory: " + p);
            }
        }
        if (files.isEmpty()) {
            throw new BenchException("no .bench.json result files in " + paths);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Path f : files) {
            Object o = YamlFile.parse(Files.readString(f));
            if (!(o instanceof Map<?, ?> m) || !m.containsKey("endToEndCorrected")) {
                throw new BenchException(f + ": not a .bench.json summary written by latency-bench");
            }
            Map<String, Object> r = new LinkedHashMap<>((Map<String, Object>) m);
            r.put("file", f.getFileName().toString());
            out.add(r);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static String html(List<Map<String, Object>> runs) {
        Map<String, List<Map<String, Object>>> bySystem = new LinkedHashMap<>();
        runs.stream().sorted(Comparator.comparing((Map<String, Object> r) -> label(r))
                        .thenComparing(r -> num(r.get("targetRate"))))
                .forEach(r -> bySystem.computeIfAbsent(label(r), k -> new ArrayList<>()).add(r));
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>latency-bench comparison"
                + "</title><style>")
                .append(":root{color-scheme:light dark;--fg:#1d1d1f;--bg:#fff;--mut:#666;--line:#ddd}")
                .append("@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--bg:#161618;--mut:#aaa;--line:#333}}")
                .append("body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:2em;}")
                .append("table{border-collapse:collapse;margin:1em 0}th,td{padding:4px 10px;border-bottom:1px solid"
                        + " var(--line);text-align:right}th:first-child,td:first-child,.t{text-align:left}")
                .append(".mut{color:var(--mut)}svg text{fill:var(--fg);font-size:12px}</style></head><body>")
                .append("<h1>Comparison</h1><p class=\"mut\">").append(runs.size()).append(" runs. End-to-end latency"
                        + " from the intended send instant (coordinated omission corrected); uncorrected p99 next to"
                        + " it. The stage at fault is the largest of the five stages at p99.</p>");

        h.append("<h2>Peak sustainable throughput</h2><table><tr><th>system / driver</th><th>max sustainable"
                + " msg/s</th><th class=\"t\">how</th></tr>");
        for (Map.Entry<String, List<Map<String, Object>>> e : bySystem.entrySet()) {
            Map<String, Object> searched = e.getValue().stream().filter(r -> r.containsKey("maxSustainableRate"))
                    .max(Comparator.comparing(r -> num(r.get("maxSustainableRate")))).orElse(null);
            String how;
            double peak;
            if (searched != null) {
                peak = num(searched.get("maxSustainableRate"));
                how = "producerRate: 0 search (" + ((List<Object>) searched.get("probes")).size() + " probes)";
            } else {
                peak = e.getValue().stream().filter(r -> Boolean.TRUE.equals(r.get("drained"))
                                && num(r.get("achievedRate")) >= 0.99 * num(r.get("targetRate")))
                        .mapToDouble(r -> num(r.get("achievedRate"))).max().orElse(0);
                how = "highest fixed rate held (no search run)";
            }
            h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(fmt(peak)).append("</td><td class=\"t\">")
                    .append(how).append("</td></tr>");
        }
        h.append("</table>");

        h.append("<h2>End-to-end latency at each rate</h2><table><tr><th>system / driver</th><th class=\"t\">workload</th>"
                + "<th>target msg/s</th><th>achieved msg/s</th><th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th>"
                + "<th>uncorrected p99 ms</th><th class=\"t\">stage at fault (p99)</th><th>lost</th></tr>");
        for (Map.Entry<String, List<Map<String, Object>>> e : bySystem.entrySet()) {
            for (Map<String, Object> r : e.getValue()) {
                Map<String, Object> c = (Map<String, Object>) r.get("endToEndCorrected");
                Map<String, Object> u = (Map<String, Object>) r.get("endToEndUncorrected");
                Map<String, Object> counts = (Map<String, Object>) r.get("counts");
                h.append("<tr><td>").append(esc(e.getKey())).append("</td><td class=\"t\">").append(esc(str(r.get("workload"))))
                        .append("</td><td>").append(fmt(num(r.get("targetRate")))).append("</td><td>")
                        .append(fmt(num(r.get("achievedRate")))).append("</td><td>").append(ms(c.get("p50")))
                        .append("</td><td>").append(ms(c.get("p99"))).append("</td><td>").append(ms(c.get("p999")))
                        .append("</td><td>").append(ms(u.get("p99"))).append("</td><td class=\"t\">")
                        .append(esc(str(r.get("stageAtFault")))).append("</td><td>")
                        .append(counts == null ? "" : str(counts.get("lost"))).append("</td></tr>");
            }
        }
        h.append("</table>");
        h.append(chart(bySystem));
        h.append("<p class=\"mut\">Files: ");
        runs.forEach(r -> h.append(esc(str(r.get("file")))).append(' '));
        h.append("</p></body></html>\n");
        return h.toString();
    }

    /** Bars of p50, p99 and p99.9 per run, grouped by system, on a logarithmic axis. */
    @SuppressWarnings("unchecked")
    private static String chart(Map<String, List<Map<String, Object>>> bySystem) {
        List<String[]> rows = new ArrayList<>();
        List<double[]> vals = new ArrayList<>();
        List<Integer> color = new ArrayList<>();
        int s = 0;
        for (Map.Entry<String, List<Map<String, Object>>> e : bySystem.entrySet()) {
            for (Map<String, Object> r : e.getValue()) {
                Map<String, Object> c = (Map<String, Object>) r.get("endToEndCorrected");
                rows.add(new String[] {e.getKey() + " @ " + fmt(num(r.get("targetRate"))) + " msg/s"});
                vals.add(new double[] {num(c.get("p50")), num(c.get("p99")), num(c.get("p999"))});
                color.add(s % COLORS.length);
            }
            s++;
        }
        double max = vals.stream().mapToDouble(v -> v[2]).max().orElse(1);
        double min = Math.max(0.01, vals.stream().mapToDouble(v -> v[0]).filter(v -> v > 0).min().orElse(0.1));
        double lo = Math.pow(10, Math.floor(Math.log10(min)));
        double hi = Math.pow(10, Math.ceil(Math.log10(Math.max(max, lo * 10))));
        int left = 260;
        int width = 560;
        int rowH = 54;
        int height = rows.size() * rowH + 40;
        StringBuilder g = new StringBuilder();
        g.append("<h2>End-to-end p50 / p99 / p99.9 (ms, log scale)</h2><svg xmlns=\"http://www.w3.org/2000/svg\""
                + " width=\"").append(left + width + 80).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"end-to-end percentiles per run\">");
        for (double t = lo; t <= hi * 1.0001; t *= 10) {
            double x = left + width * Math.log10(t / lo) / Math.log10(hi / lo);
            g.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\""
                    + " stroke-opacity=\"0.35\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x, x,
                    height - 25, x, height - 8, t >= 1 ? String.format(Locale.ROOT, "%.0f", t) : Double.toString(t)));
        }
        String[] names = {"p50", "p99", "p99.9"};
        double[] opacity = {1.0, 0.7, 0.4};
        for (int i = 0; i < rows.size(); i++) {
            int y = 14 + i * rowH;
            g.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", left - 8,
                    y + 24, esc(rows.get(i)[0])));
            for (int k = 0; k < 3; k++) {
                double v = Math.max(lo, vals.get(i)[k]);
                double w = width * Math.log10(v / lo) / Math.log10(hi / lo);
                g.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"13\" fill=\"%s\""
                                + " fill-opacity=\"%.2f\"/><text x=\"%.1f\" y=\"%d\">%s %s</text>", left, y + k * 15,
                        Math.max(1, w), COLORS[color.get(i)], opacity[k], left + w + 4, y + k * 15 + 11, names[k],
                        ms(vals.get(i)[k])));
            }
        }
        g.append("</svg>");
        return g.toString();
    }

    private static String label(Map<String, Object> r) {
        String file = Path.of(str(r.get("driverFile"))).getFileName().toString().replaceAll("\\.ya?ml$", "");
        String workers = r.containsKey("workers") ? ", " + r.get("workers") + " workers" : "";
        return str(r.get("system")) + " (" + file + workers + ")";
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }

    private static String str(Object o) {
        return o == null ? "" : String.valueOf(o);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String ms(Object o) {
        double v = num(o);
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
