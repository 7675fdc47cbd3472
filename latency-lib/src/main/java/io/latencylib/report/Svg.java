package io.latencylib.report;

import io.latencylib.StageStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * The inline SVG charts of the HTML reports: no script, no external reference; colours come from CSS
 * classes ({@code s1}..{@code s4}) and {@code currentColor}, so the page's light, dark and print
 * styles apply.
 */
final class Svg {

    static final double WIDTH = 960;
    private static final double LEFT = 70;
    private static final double RIGHT = 44;
    private static final double TOP = 44;
    private static final double BOTTOM = 54;

    /** Decades of 1/(1−p) on the percentile axis: 0 % .. 99.999 %. */
    static final int DECADES = 5;

    private Svg() {
    }

    /** A curve of a percentile chart. */
    record Curve(String label, String cls, StageStats distribution, boolean dashed) {
    }

    /** A line of a time chart: points (x, y); a NaN y breaks the line; {@code wide} draws it broad, under the others. */
    record Line(String label, String cls, List<double[]> points, boolean dashed, boolean wide) {
        Line(String label, String cls, List<double[]> points, boolean dashed) {
            this(label, cls, points, dashed, false);
        }
    }

    /** One group of a bar chart: a label and one value per series. */
    record Group(String label, double[] values) {
    }

    /**
     * The percentile distribution, as HdrHistogram plots it: latency against percentile on a
     * logarithmic axis of 1/(1−p), from 0 % to 99.999 %.
     *
     * @param annotate index of the curve whose p50, p99, p99.9 and p99.99 are marked, or -1
     */
    static String percentileChart(String id, String title, List<Curve> curves, int annotate) {
        double height = 420;
        Frame f = new Frame(height);
        double maxMs = 0;
        List<Histogram> histograms = curves.stream().map(c -> c.distribution().histogram()).toList();
        for (Histogram h : histograms) {
            maxMs = Math.max(maxMs, h.getTotalCount() == 0 ? 0
                    : ms(h.getValueAtPercentile(100 * (1 - Math.pow(10, -DECADES)))));
        }
        double[] yTicks = ticks(maxMs, 6);
        f.x0 = 0;
        f.x1 = DECADES;
        f.y1 = yTicks[yTicks.length - 1];
        StringBuilder out = open(id, title, height);
        // grid and axes
        for (int d = 0; d <= DECADES; d++) {
            double x = f.px(d);
            out.append(line(x, f.top, x, f.bottom(), "grid"));
            String label = d == 0 ? "0%" : percentLabel(100 * (1 - Math.pow(10, -d)));
            out.append(text(x, f.bottom() + 20, "middle", "tick", label));
            if (d < DECADES) {   // minor lines at 2..9 within each decade
                for (int k = 2; k < 10; k++) {
                    double xm = f.px(d + Math.log10(k));
                    out.append(line(xm, f.top, xm, f.bottom(), "grid minor"));
                }
            }
        }
        yAxis(out, f, yTicks, v -> number(v, yTicks[1] - yTicks[0]));
        out.append(text(f.left + f.width / 2, height - 8, "middle", "axis-title",
                "percentile (log scale of 1/(1\u2212p))"));
        out.append(yTitle(f, "latency (ms)"));
        // curves
        int points = 400;
        for (int k = 0; k < curves.size(); k++) {
            Curve c = curves.get(k);
            Histogram h = histograms.get(k);
            if (h.getTotalCount() == 0) {
                continue;
            }
            StringBuilder d = new StringBuilder();
            for (int i = 0; i <= points; i++) {
                double x = DECADES * (double) i / points;
                double p = 100 * (1 - Math.pow(10, -x));
                double y = ms(h.getValueAtPercentile(p));
                d.append(i == 0 ? "M" : " L").append(n(f.px(x))).append(' ').append(n(f.py(y)));
            }
            out.append("<path class=\"curve ").append(c.cls()).append(c.dashed() ? " dashed" : "")
                    .append("\" d=\"").append(d).append("\"/>\n");
        }
        if (annotate >= 0 && annotate < curves.size() && curves.get(annotate).distribution().count() > 0) {
            Curve c = curves.get(annotate);
            Histogram h = histograms.get(annotate);
            double[] marks = {50, 99, 99.9, 99.99};
            String[] names = {"p50", "p99", "p99.9", "p99.99"};
            for (int i = 0; i < marks.length; i++) {
                double x = Math.log10(1 / (1 - marks[i] / 100));
                double y = ms(h.getValueAtPercentile(marks[i]));
                double px = f.px(x);
                double py = f.py(y);
                out.append("<circle class=\"mark ").append(c.cls()).append("\" cx=\"").append(n(px)).append("\" cy=\"")
                        .append(n(py)).append("\" r=\"4\"/>\n");
                boolean first = i == 0;
                out.append(text(first ? px + 8 : px - 8, py - 9, first ? "start" : "end", "annotation",
                        names[i] + " " + Html.ms(y) + " ms"));
            }
        }
        legend(out, f, curves.stream().map(c -> new String[] {c.label(), c.cls(), c.dashed() ? "dashed" : ""}).toList());
        return out.append("</svg>\n").toString();
    }

    /** A grouped bar chart: one group per label, one bar per series (classes s1, s2, ...). */
    static String groupedBarChart(String id, String title, List<String> series, List<Group> groups, String yTitleText) {
        double height = 400;
        Frame f = new Frame(height);
        double max = 0;
        for (Group g : groups) {
            for (double v : g.values()) {
                max = Math.max(max, v);
            }
        }
        double[] yTicks = ticks(max, 6);
        f.y1 = yTicks[yTicks.length - 1];
        StringBuilder out = open(id, title, height);
        yAxis(out, f, yTicks, v -> number(v, yTicks[1] - yTicks[0]));
        out.append(yTitle(f, yTitleText));
        if (groups.isEmpty()) {
            out.append(text(f.left + f.width / 2, f.top + f.height / 2, "middle", "tick", "no stage was measured"));
        }
        double groupWidth = f.width / Math.max(1, groups.size());
        double barWidth = Math.min(48, groupWidth * 0.78 / series.size());
        for (int g = 0; g < groups.size(); g++) {
            Group group = groups.get(g);
            double center = f.left + groupWidth * (g + 0.5);
            double x = center - barWidth * series.size() / 2;
            for (int s = 0; s < series.size(); s++) {
                double v = group.values()[s];
                double top = f.py(v);
                out.append("<rect class=\"bar s").append(s + 1).append("\" x=\"").append(n(x + 1)).append("\" y=\"")
                        .append(n(top)).append("\" width=\"").append(n(barWidth - 2)).append("\" height=\"")
                        .append(n(Math.max(0.5, f.bottom() - top))).append("\"><title>")
                        .append(Html.esc(group.label() + " " + series.get(s) + ": " + Html.ms(v) + " ms"))
                        .append("</title></rect>\n");
                out.append(text(x + barWidth / 2, top - 5, "middle", "value", Html.ms(v)));
                x += barWidth;
            }
            out.append(text(center, f.bottom() + 20, "middle", "group", group.label()));
        }
        out.append(line(f.left, f.bottom(), f.left + f.width, f.bottom(), "axis"));
        List<String[]> legend = new ArrayList<>();
        for (int s = 0; s < series.size(); s++) {
            legend.add(new String[] {series.get(s), "s" + (s + 1), "bar"});
        }
        legend(out, f, legend);
        return out.append("</svg>\n").toString();
    }

    /**
     * A chart over time: x in seconds from 0 to {@code xMax}, lines of points; the span
     * [0, {@code shadeEnd}] is shaded and labelled {@code shadeLabel} when {@code shadeEnd} is positive.
     */
    static String timeChart(String id, String title, List<Line> lines, double xMax, double shadeEnd, String shadeLabel,
                            String yTitleText, DoubleFunction<String> yFormat) {
        double height = 320;
        Frame f = new Frame(height);
        double max = 0;
        for (Line l : lines) {
            for (double[] p : l.points()) {
                if (!Double.isNaN(p[1])) {
                    max = Math.max(max, p[1]);
                }
            }
        }
        double[] yTicks = ticks(max, 5);
        double[] xTicks = ticks(xMax, 10);
        f.x1 = Math.max(xMax, 1e-9);
        f.y1 = yTicks[yTicks.length - 1];
        StringBuilder out = open(id, title, height);
        if (shadeEnd > 0) {
            double x = f.px(Math.min(shadeEnd, f.x1));
            out.append("<rect class=\"shade\" x=\"").append(n(f.left)).append("\" y=\"").append(n(f.top))
                    .append("\" width=\"").append(n(x - f.left)).append("\" height=\"").append(n(f.height)).append("\"/>\n");
            out.append(text(f.left + 6, f.top + 16, "start", "shade-label", shadeLabel));
        }
        for (double t : xTicks) {
            if (t > f.x1 + 1e-9) {
                continue;
            }
            double x = f.px(t);
            out.append(line(x, f.top, x, f.bottom(), "grid"));
            out.append(text(x, f.bottom() + 20, "middle", "tick", number(t, xTicks[1] - xTicks[0])));
        }
        yAxis(out, f, yTicks, yFormat != null ? yFormat : v -> number(v, yTicks[1] - yTicks[0]));
        out.append(text(f.left + f.width / 2, height - 8, "middle", "axis-title", "seconds since the start of the run"));
        out.append(yTitle(f, yTitleText));
        for (Line l : lines) {
            StringBuilder d = new StringBuilder();
            boolean move = true;
            for (double[] p : l.points()) {
                if (Double.isNaN(p[1])) {
                    move = true;
                    continue;
                }
                d.append(move ? (d.length() == 0 ? "M" : " M") : " L").append(n(f.px(p[0]))).append(' ').append(n(f.py(p[1])));
                move = false;
            }
            if (d.length() > 0) {
                out.append("<path class=\"curve ").append(l.cls()).append(l.dashed() ? " dashed" : "")
                        .append(l.wide() ? " wide" : "").append("\" d=\"").append(d).append("\"/>\n");
            }
        }
        legend(out, f, lines.stream().map(l -> new String[] {l.label(), l.cls(),
                (l.dashed() ? "dashed" : "") + (l.wide() ? " wide" : "")}).toList());
        return out.append("</svg>\n").toString();
    }

    // ---------------------------------------------------------------- parts

    /** The plot area of a chart and its scales. */
    private static final class Frame {
        final double left = LEFT;
        final double top = TOP;
        final double width = WIDTH - LEFT - RIGHT;
        final double height;
        double x0;
        double x1 = 1;
        double y1 = 1;

        Frame(double svgHeight) {
            this.height = svgHeight - TOP - BOTTOM;
        }

        double bottom() {
            return top + height;
        }

        double px(double x) {
            return left + (x - x0) / (x1 - x0) * width;
        }

        double py(double y) {
            return top + height - Math.min(1.02, y / y1) * height;
        }
    }

    private static StringBuilder open(String id, String title, double height) {
        StringBuilder out = new StringBuilder();
        out.append("<svg id=\"").append(id).append("\" class=\"chart\" role=\"img\" aria-label=\"").append(Html.esc(title))
                .append("\" viewBox=\"0 0 ").append(n(WIDTH)).append(' ').append(n(height))
                .append("\" preserveAspectRatio=\"xMidYMid meet\">\n");
        out.append("<title>").append(Html.esc(title)).append("</title>\n");
        return out;
    }

    private static void yAxis(StringBuilder out, Frame f, double[] ticks, DoubleFunction<String> format) {
        for (double t : ticks) {
            double y = f.py(t);
            out.append(line(f.left, y, f.left + f.width, y, t == 0 ? "axis" : "grid"));
            out.append(text(f.left - 8, y + 4, "end", "tick", format.apply(t)));
        }
        out.append(line(f.left, f.top, f.left, f.bottom(), "axis"));
    }

    private static String yTitle(Frame f, String title) {
        double x = 16;
        double y = f.top + f.height / 2;
        return "<text class=\"axis-title\" text-anchor=\"middle\" transform=\"translate(" + n(x) + " " + n(y)
                + ") rotate(-90)\">" + Html.esc(title) + "</text>\n";
    }

    /** Entries: label, css class, kind ("dashed", "bar" or ""). Laid out left to right above the plot. */
    private static void legend(StringBuilder out, Frame f, List<String[]> entries) {
        double x = f.left;
        double y = 20;
        for (String[] e : entries) {
            if (e[2].equals("bar")) {
                out.append("<rect class=\"bar ").append(e[1]).append("\" x=\"").append(n(x)).append("\" y=\"")
                        .append(n(y - 9)).append("\" width=\"14\" height=\"12\"/>\n");
            } else {
                out.append("<line class=\"curve ").append(e[1]).append(e[2].isEmpty() ? "" : " " + e[2]).append("\" x1=\"")
                        .append(n(x)).append("\" y1=\"").append(n(y - 3)).append("\" x2=\"").append(n(x + 22))
                        .append("\" y2=\"").append(n(y - 3)).append("\"/>\n");
            }
            double textX = x + (e[2].equals("bar") ? 20 : 28);
            out.append(text(textX, y + 1, "start", "legend", e[0]));
            x = textX + 7.4 * e[0].length() + 26;
        }
    }

    static String line(double x1, double y1, double x2, double y2, String cls) {
        return "<line class=\"" + cls + "\" x1=\"" + n(x1) + "\" y1=\"" + n(y1) + "\" x2=\"" + n(x2) + "\" y2=\""
                + n(y2) + "\"/>\n";
    }

    static String text(double x, double y, String anchor, String cls, String content) {
        return "<text class=\"" + cls + "\" x=\"" + n(x) + "\" y=\"" + n(y) + "\" text-anchor=\"" + anchor + "\">"
                + Html.esc(content) + "</text>\n";
    }

    /** @return round tick values from 0 covering {@code max}, about {@code target} of them */
    static double[] ticks(double max, int target) {
        if (!(max > 0) || Double.isInfinite(max)) {
            max = 1;
        }
        double raw = max / target;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double norm = raw / magnitude;
        double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * magnitude;
        int count = (int) Math.ceil(max / step - 1e-9);
        double[] ticks = new double[Math.max(1, count) + 1];
        for (int i = 0; i < ticks.length; i++) {
            ticks[i] = i * step;
        }
        return ticks;
    }

    /** @return {@code v} with as many decimals as {@code step} needs */
    static String number(double v, double step) {
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        if (step * Math.pow(10, decimals) % 1 > 1e-6) {
            decimals++;
        }
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 6) + "f", v);
    }

    static String percentLabel(double p) {
        String s = String.format(Locale.ROOT, "%.5f", p).replaceAll("0+$", "").replaceAll("\\.$", "");
        return s + "%";
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    static String n(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
