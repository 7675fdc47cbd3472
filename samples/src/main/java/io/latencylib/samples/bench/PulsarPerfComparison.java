package io.latencylib.samples.bench;

import io.latencylib.LatencyReport;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.Schedule;
import io.latencylib.pulsar.PulsarLoadDriver;
import io.latencylib.pulsar.embedded.EmbeddedPulsar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;

/**
 * Issue 16, peer comparison for Pulsar. {@code org.apache.pulsar:pulsar-testclient:4.0.7} (pulsar-perf) does
 * not resolve from Maven Central (checked 2026-12-06: "Could not find artifact"), so the tool here is a
 * raw-client loop written like pulsar-perf's producer ({@code PerformanceProducer}): one producer, batching
 * (1 ms), {@code sendAsync} with at most 10,000 pending, publish latency (send to the future's completion)
 * recorded per message into an HdrHistogram {@code Recorder} from the completion callback; without a rate it
 * sends back to back, with one it waits for each message's due time (pulsar-perf's {@code RateLimiter} does the
 * same). Against the load driver (producer only), same standalone, same 1 KiB messages, non-partitioned
 * topic: peak in {@code rounds} paired rounds, then latency side by side at a fixed rate (the tool's publish
 * latency and the driver's producer latency, send to acknowledgement: the same interval).
 *
 * <p>Both sides send the same number of messages: {@code rate × seconds}, or at the peak 60,000 for each
 * second of {@code seconds}. Disk: the standalone keeps what is written for a while (~1 GB for 900,000
 * messages); keep its data on disk ({@code target/}, the default), not on a small tmpfs.
 *
 * <p>Settings (optional, {@code -Dbench.args="seconds:rate:rounds"}), default {@code 15:20000:3}.
 * Run: {@code ./mvnw -q -B -pl samples -am package -DskipTests exec:exec -Dexec.mainClass=io.latencylib.samples.bench.PulsarPerfComparison}
 */
public final class PulsarPerfComparison {

    public static void main(String[] args) throws Exception {
        List<String> a = Bench.args();
        String[] f = (a.isEmpty() ? "" : a.get(0)).split(":");
        int seconds = f.length > 0 && !f[0].isEmpty() ? Integer.parseInt(f[0]) : 15;
        int rate = f.length > 1 ? Integer.parseInt(f[1]) : 20_000;
        int rounds = f.length > 2 ? Integer.parseInt(f[2]) : 3;
        System.out.printf(Locale.ROOT, "%d cores, Java %s, load average %s; starting a Pulsar standalone (child JVM)...%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), Bench.loadAverage());
        try (EmbeddedPulsar pulsar = EmbeddedPulsar.builder()
                .parentDirectory(Path.of(System.getProperty("bench.dataDir", "target")))
                .jvmOptions(List.of("-Xmx1g")).start();
             PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl()).build()) {
            String run = Long.toString(System.currentTimeMillis(), 36);
            byte[][] payloads = KafkaOverhead.payloads();
            tool(client, run + "-warm", 5, 0, payloads);
            driver(pulsar, run + "-warm", 5, 0);
            List<double[]> peaks = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                double t = tool(client, run + "-peak-" + round, seconds, 0, payloads)[0];
                double d = driver(pulsar, run + "-peak-" + round, seconds, 0)[0];
                peaks.add(new double[] {t, d});
            }
            double[] toolFixed = tool(client, run + "-fixed", seconds, rate, payloads);
            double[] driverFixed = driver(pulsar, run + "-fixed", seconds, rate);
            System.out.println();
            System.out.printf(Locale.ROOT, "Pulsar: a pulsar-perf-like raw loop vs the load driver, 1 KiB, batching 1 ms,"
                    + " producer only, %d s runs; load average now %s%n", seconds, Bench.loadAverage());
            System.out.println("| measurement | raw loop (pulsar-perf-like) | driver | driver/tool |");
            System.out.println("|---|---:|---:|---:|");
            double[] ratios = new double[peaks.size()];
            for (int i = 0; i < peaks.size(); i++) {
                double[] p = peaks.get(i);
                ratios[i] = p[1] / p[0];
                System.out.printf(Locale.ROOT, "| peak, round %d (msg/s) | %,.0f | %,.0f | %.2f |%n", i + 1, p[0], p[1],
                        ratios[i]);
            }
            System.out.printf(Locale.ROOT, "| peak, median of the paired ratios | | | %.2f |%n", Paired.median(ratios));
            String[] names = {"achieved msg/s", "publish latency p50 ms", "p95 ms", "p99 ms"};
            for (int i = 0; i < names.length; i++) {
                System.out.printf(Locale.ROOT, "| %,d msg/s: %s | %.3f | %.3f | |%n", rate, names[i], toolFixed[i],
                        driverFixed[i]);
            }
            System.out.println("(publish latency: send to acknowledgement; the driver's producer latency is the same"
                    + " interval, from the stamp)");
        }
    }

    /** The raw loop: {msg/s, publish latency p50, p95, p99 in ms}; rate 0 = back to back. */
    static double[] tool(PulsarClient client, String name, int seconds, int rate, byte[][] payloads) throws Exception {
        Producer<byte[]> producer = PulsarOverhead.newProducer(client, "persistent://public/default/tool-" + name);
        producer.send(payloads[0]);
        Recorder latency = new Recorder(3);
        long start = System.nanoTime();
        // as many messages as the driver sends: rate x seconds, or at the peak 60,000 a second of run
        long total = rate > 0 ? (long) rate * seconds : seconds * 60_000L;
        double gap = rate > 0 ? 1e9 / rate : 0;
        long sent = 0;
        CompletableFuture<MessageId> last = null;
        while (sent < total) {
            long now;
            if (rate > 0) {
                long due = start + (long) (sent * gap);
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(due - now);
                }
            }
            long sendNanos = System.nanoTime();
            last = producer.sendAsync(payloads[(int) (sent & 15)]);
            last.thenRun(() -> latency.recordValue((System.nanoTime() - sendNanos) / 1000));
            sent++;
        }
        producer.flush();
        last.get(60, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        producer.close();
        org.HdrHistogram.Histogram h = latency.getIntervalHistogram();
        double[] result = {sent / elapsed, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(95) / 1e3,
                h.getValueAtPercentile(99) / 1e3};
        System.out.printf(Locale.ROOT, "raw loop %-16s %,d sent, %,.0f msg/s, publish latency p50 %.3f p95 %.3f p99 %.3f"
                + " ms%n", name, sent, result[0], result[1], result[2], result[3]);
        return result;
    }

    /** The load driver, producer only: {achieved msg/s, producer latency p50, p95, p99 in ms}. */
    static double[] driver(EmbeddedPulsar pulsar, String name, int seconds, int rate) {
        Schedule schedule = rate > 0 ? Schedule.constant(rate, Duration.ofSeconds(seconds))
                : Schedule.constant(1_000_000, Duration.ofMillis(seconds * 60L)); // 60,000 messages a second of run
        LoadReport r = LoadRun.builder(PulsarLoadDriver.builder(pulsar.serviceUrl()).adminUrl(pulsar.httpUrl())
                        .batching(true).build())
                .destination("driver-" + name)
                .schedule(schedule)
                .messageSize(1024)
                .producers(1)
                .consumers(0)
                .progressListener(p -> { })
                .run();
        LatencyReport report = r.report();
        var producer = report.producerLatency().orElseThrow();
        double[] result = {r.achievedRate(), Bench.ms(producer.p50()), Bench.ms(producer.percentile(95)),
                Bench.ms(producer.p99())};
        System.out.printf(Locale.ROOT, "driver   %-16s %,d sent, %,.0f msg/s, producer latency p50 %.3f p95 %.3f p99 %.3f"
                + " ms%n", name, r.sent(), result[0], result[1], result[2], result[3]);
        return result;
    }
}
