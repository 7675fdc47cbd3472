package io.latencylib.bench;

import io.latencylib.LatencyReport;
import io.latencylib.StageStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * OMB's result JSON: exactly the fields of its {@code TestResult} class, in its units (latencies in
 * milliseconds, publish delay in microseconds), so that OMB's chart and CSV scripts read our results.
 * Per-interval lists have one entry per progress interval of the measured part; the aggregated figures
 * are those of the whole measured part.
 *
 * <p>Mapping: publishLatency is the producer latency (send to acknowledgement), publishDelayLatency the
 * lateness (actual minus intended send), endToEndLatency the end-to-end latency from the actual send
 * (what OMB measures; the coordinated-omission-corrected figure is in the library's JSON and HTML).
 */
final class OmbResult {

    private OmbResult() {
    }

    /** One progress interval: its report and the backlog at its end. */
    record Interval(LatencyReport report, long backlog) {
    }

    static Map<String, Object> of(String workload, String driver, long messageSize, int topics, int partitions,
                                  int producersPerTopic, int consumersPerTopic, LatencyReport total,
                                  List<Interval> intervals) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", workload);
        r.put("driver", driver);
        r.put("messageSize", messageSize);
        r.put("topics", topics);
        r.put("partitions", partitions);
        r.put("producersPerTopic", producersPerTopic);
        r.put("consumersPerTopic", consumersPerTopic);
        List<Double> publishRate = new ArrayList<>();
        List<Double> publishErrorRate = new ArrayList<>();
        List<Double> consumeRate = new ArrayList<>();
        List<Long> backlog = new ArrayList<>();
        for (Interval i : intervals) {
            double s = Math.max(1e-9, i.report().duration().toNanos() / 1e9);
            publishRate.add(i.report().counts().sent() / s);
            publishErrorRate.add(i.report().counts().sendErrors() / s);
            consumeRate.add(i.report().counts().received() / s);
            backlog.add(i.backlog());
        }
        r.put("publishRate", publishRate);
        r.put("publishErrorRate", publishErrorRate);
        r.put("consumeRate", consumeRate);
        r.put("backlog", backlog);
        series(r, "publishLatency", intervals, rep -> rep.producerLatency(), false);
        series(r, "publishDelayLatency", intervals, rep -> rep.lateness(), true);
        aggregated(r, "aggregatedPublishLatency", total.producerLatency(), false);
        aggregated(r, "aggregatedPublishDelayLatency", total.lateness(), true);
        r.put("aggregatedPublishLatencyQuantiles", quantiles(total.producerLatency(), false));
        r.put("aggregatedPublishDelayLatencyQuantiles", quantiles(total.lateness(), true));
        series(r, "endToEndLatency", intervals, rep -> Optional.of(rep.endToEnd()), false);
        r.put("aggregatedEndToEndLatencyQuantiles", quantiles(Optional.of(total.endToEnd()), false));
        aggregated(r, "aggregatedEndToEndLatency", Optional.of(total.endToEnd()), false);
        return r;
    }

    private static final String[] SUFFIX = {"Avg", "50pct", "75pct", "95pct", "99pct", "999pct", "9999pct", "Max"};
    private static final double[] PCT = {-1, 50, 75, 95, 99, 99.9, 99.99, 100};

    private static void series(Map<String, Object> r, String name, List<Interval> intervals,
                               Function<LatencyReport, Optional<StageStats>> which, boolean micros) {
        for (int k = 0; k < SUFFIX.length; k++) {
            List<Object> values = new ArrayList<>();
            for (Interval i : intervals) {
                Histogram h = which.apply(i.report()).map(StageStats::histogram).orElse(null);
                values.add(value(h, k, micros && k > 0, micros));
            }
            r.put(name + SUFFIX[k], values);
        }
    }

    private static void aggregated(Map<String, Object> r, String name, Optional<StageStats> s, boolean micros) {
        Histogram h = s.map(StageStats::histogram).orElse(null);
        for (int k = 0; k < SUFFIX.length; k++) {
            r.put(name + SUFFIX[k], value(h, k, micros && k > 0, micros));
        }
    }

    /** OMB: latencies in ms (double), publish delay in µs (long, its mean a double). */
    private static Object value(Histogram h, int k, boolean asLong, boolean micros) {
        double v;
        if (h == null || h.getTotalCount() == 0) {
            v = 0;
        } else if (PCT[k] < 0) {
            v = h.getMean();
        } else if (PCT[k] >= 100) {
            v = h.getMaxValue();
        } else {
            v = h.getValueAtPercentile(PCT[k]);
        }
        if (asLong) {
            return (long) v;
        }
        return micros ? v : v / 1000.0;
    }

    private static Map<String, Object> quantiles(Optional<StageStats> s, boolean micros) {
        Map<String, Object> out = new LinkedHashMap<>();
        Histogram h = s.map(StageStats::histogram).orElse(null);
        if (h == null || h.getTotalCount() == 0) {
            return out;
        }
        for (HistogramIterationValue v : h.percentiles(100)) {
            String key = Double.toString(v.getPercentileLevelIteratedTo());
            out.put(key, micros ? (Object) v.getValueIteratedTo() : (Object) (v.getValueIteratedTo() / 1000.0));
        }
        return out;
    }
}
