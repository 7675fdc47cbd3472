package io.latencylib.samples.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Paired rounds of a raw and a wrapped client: each round's wrapped/raw ratio, and their median and
 * spread. Pairs taken in the same round, back to back, see the same machine; the ratio of medians would
 * mix rounds taken under different load.
 */
final class Paired {

    private final String name;
    private final boolean throughput;
    private final List<double[]> rounds = new ArrayList<>();

    /** Paired throughputs (msg/s), judged against 0.97. */
    Paired(String name) {
        this(name, true);
    }

    /** Paired values of another kind (e.g. CPU µs per message), printed without a verdict when {@code !throughput}. */
    Paired(String name, boolean throughput) {
        this.name = name;
        this.throughput = throughput;
    }

    void add(double raw, double wrapped) {
        rounds.add(new double[] {raw, wrapped});
    }

    double[] ratios() {
        return rounds.stream().mapToDouble(r -> r[1] / r[0]).toArray();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** One line: the ratios per round, their median, min–max; and the raw and wrapped medians. */
    String summary() {
        double[] r = ratios();
        double[] sorted = r.clone();
        Arrays.sort(sorted);
        StringBuilder each = new StringBuilder();
        for (double x : r) {
            each.append(each.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", x));
        }
        return String.format(Locale.ROOT, "%-9s per round [%s]: median %.3f, spread %.3f-%.3f"
                        + " (raw median %,.2f, other median %,.2f, %d rounds)%s", name, each, median(r),
                sorted.length == 0 ? Double.NaN : sorted[0], sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1],
                median(rounds.stream().mapToDouble(x -> x[0]).toArray()),
                median(rounds.stream().mapToDouble(x -> x[1]).toArray()), r.length,
                !throughput ? "" : median(r) >= 0.97 ? "  >= 0.97: PASS" : "  >= 0.97: FAIL");
    }
}
