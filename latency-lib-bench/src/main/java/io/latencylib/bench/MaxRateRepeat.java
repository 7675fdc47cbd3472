package io.latencylib.bench;

import io.latencylib.LatencyRecorder;
import io.latencylib.load.LoadDriver;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.MaxThroughputSearch;
import io.latencylib.load.Schedule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A benchmark program, not a test: the max-rate search of {@code producerRate: 0}, three times in a row on
 * one embedded Kafka, through the runner's own mapping of the OMB files, after a warm-up (not counted); prints
 * the three answers and their spread (acceptance: within 5%).
 *
 * <pre>
 * java -Xmx1g -Xms1g -cp latency-lib-bench/target/latency-bench.jar io.latencylib.bench.MaxRateRepeat \
 *     latency-lib-bench/examples/workloads/latency-max-rate-1-topic-4-partitions-1kb.yaml \
 *     latency-lib-bench/examples/driver-kafka/kafka-throughput.yaml [searches]
 * </pre>
 */
public final class MaxRateRepeat {

    private MaxRateRepeat() {
    }

    /** @return busy and total CPU ticks of the machine and this process's ticks, from /proc (zeros elsewhere) */
    static long[] cpu() {
        try {
            String[] f = java.nio.file.Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            String self = java.nio.file.Files.readString(Path.of("/proc/self/stat"));
            String[] g = self.substring(self.lastIndexOf(')') + 2).split(" ");
            return new long[] {total - idle, total, Long.parseLong(g[11]) + Long.parseLong(g[12])};
        } catch (java.io.IOException | RuntimeException e) {
            return new long[3];
        }
    }

    public static void main(String[] args) throws Exception {
        Workload w = Workload.read(Path.of(args[0]));
        DriverFile d = DriverFile.read(Path.of(args[1]));
        int searches = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<Double> answers = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        long start = System.nanoTime();
        try (Brokers brokers = new Brokers(System.out, Brokers.dataDirectoryProperty())) {
            DriverFile.Embedded e = brokers.forSystem(d.system());
            LoadDriver driver = d.create(w.partitionsPerTopic(), e, true);
            BenchRun.printOverrides(d, System.out);
            // Warm-up, not counted: 60 s at 40,000 msg/s (a steady rate the client holds cold: a ramp to 150,000
            // msg/s fell 10 s behind at 70,000 with linger.ms=1), then 60 s at 160,000 msg/s. Without the second
            // part the first search answered far below the others (146,105 against 210,189 msg/s, its probes
            // holding ~145,000 msg/s wherever they were asked for more): warm at the rates near the limit too.
            LoadReport warm = BenchRun.configure(LoadRun.builder(driver), w).destination("max-warm-up")
                    .schedule(Schedule.constant(40_000, Duration.ofSeconds(60))
                            .then(Schedule.constant(160_000, Duration.ofSeconds(60))))
                    .abortWhenBehind(Duration.ofSeconds(10))
                    .recorder(LatencyRecorder.builder().joinCapacity(1 << 18).build())
                    .progressListener(p -> { }).run();
            System.out.printf(Locale.ROOT, "warm-up (not counted): 60 s at 40,000 msg/s, then 60 s at 160,000 msg/s:"
                            + " achieved %s msg/s%s%n",
                    warm.phases().stream().map(ph -> String.format(Locale.ROOT, "%.0f", ph.achievedRate())).toList(),
                    warm.aborted().map(why -> " (" + why + ")").orElse(""));
            for (int i = 1; i <= searches; i++) {
                long t0 = System.nanoTime();
                long[] cpu = cpu();
                MaxThroughputSearch.Result r = BenchRun.search(w, driver, "max-" + i, Duration.ofSeconds(8),
                        Duration.ofSeconds(2), 20_000);
                long[] end = cpu();
                long total = end[1] - cpu[1];
                double self = total <= 0 ? Double.NaN : 100.0 * (end[2] - cpu[2]) / total;
                double others = total <= 0 ? Double.NaN : 100.0 * ((end[0] - cpu[0]) - (end[2] - cpu[2])) / total;
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "%nsearch %d, %.0f s, CPU of the machine: this JVM %.0f%%, other"
                                + " processes %.0f%%:%n%s", i, seconds, self, others, r.toTable());
                answers.add(r.maxRate());
                double answer = r.maxRate();
                List<MaxThroughputSearch.Probe> near = r.probes().stream()
                        .filter(p -> Math.abs(p.targetRate() / answer - 1) <= 0.10).toList();
                lines.add(String.format(Locale.ROOT, "search %d: %,9.0f msg/s  evidence %d/%d confirmations passed"
                                + " (held %s)  %3d probes (%d long)  near the answer (±10%%): %d probes, %d passed"
                                + "  %4.0f s  CPU this JVM %3.0f%%, others %3.0f%%", i, answer,
                        r.evidence().stream().filter(MaxThroughputSearch.Probe::passed).count(), r.evidence().size(),
                        r.evidence().stream().map(p -> String.format(Locale.ROOT, "%,.0f", p.heldRate())).toList(),
                        r.probes().size(),
                        r.probes().stream().filter(p -> p.phase() != MaxThroughputSearch.Probe.Phase.COARSE).count(),
                        near.size(), near.stream().filter(MaxThroughputSearch.Probe::passed).count(), seconds, self,
                        others));
            }
        }
        double max = Collections.max(answers);
        double min = Collections.min(answers);
        double spread = min > 0 ? max / min - 1 : Double.POSITIVE_INFINITY;
        System.out.println();
        lines.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "spread (max - min) / min = %.1f%% (acceptance: within 5%%: %s); total %.0f s%n",
                100 * spread, spread <= 0.05 ? "PASS" : "FAIL", (System.nanoTime() - start) / 1e9);
        System.exit(0);
    }
}
