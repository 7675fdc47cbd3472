package io.latencylib.samples.bench;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.perf.PerfTest;
import io.latencylib.LatencyReport;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.Schedule;
import io.latencylib.rabbitmq.RabbitLoadDriver;
import io.latencylib.rabbitmq.embedded.LocalRabbitMqNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 16, peer comparison: the RabbitMQ load driver against RabbitMQ's own PerfTest
 * ({@code com.rabbitmq:perf-test}, its {@code PerfTest} main run in this JVM), on the same local node, with
 * the same messages: 1 KiB, persistent, publisher confirms, one producer, one consumer acknowledging every
 * message with prefetch 500, a durable classic queue. Prints one table: the peak (PerfTest without
 * {@code --rate}; the driver on a schedule it cannot keep) in {@code rounds} rounds, tool then driver, and
 * latency side by side at a fixed rate (PerfTest {@code --rate}: its consumer latency, publish to receive,
 * measured from a timestamp in the body; the driver: end-to-end, send to receive, the same interval).
 *
 * <p>Settings (optional, {@code -Dbench.args="seconds:rate:rounds"}), default {@code 15:5000:3}.
 * Run: {@code ./mvnw -q -B -pl samples -am package -DskipTests exec:exec -Dexec.mainClass=io.latencylib.samples.bench.RabbitPerfTestComparison}
 */
public final class RabbitPerfTestComparison {

    private static final Pattern SENT = Pattern.compile("sending rate avg: ([0-9.]+) msg/s");
    private static final Pattern RECEIVED = Pattern.compile("receiving rate avg: ([0-9.]+) msg/s");
    private static final Pattern CONSUMER_LATENCY = Pattern.compile(
            "consumer latency min/median/75th/95th/99th ([0-9.]+)/([0-9.]+)/([0-9.]+)/([0-9.]+)/([0-9.]+) (µs|ms)");

    public static void main(String[] args) throws Exception {
        List<String> a = Bench.args();
        String[] f = (a.isEmpty() ? "" : a.get(0)).split(":");
        int seconds = f.length > 0 && !f[0].isEmpty() ? Integer.parseInt(f[0]) : 15;
        int rate = f.length > 1 ? Integer.parseInt(f[1]) : 5000;
        int rounds = f.length > 2 ? Integer.parseInt(f[2]) : 3;
        System.out.printf(Locale.ROOT, "%d cores, Java %s, load average %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Bench.loadAverage());
        try (LocalRabbitMqNode node = LocalRabbitMqNode.builder()
                .parentDirectory(Path.of(System.getProperty("bench.dataDir", "target"))).start()) {
            ConnectionFactory factory = node.connectionFactory();
            String uri = node.amqpUri();
            tool(uri, "warm", 5, 0); // JIT and node warm-up, not counted
            driver(factory, "warm", 5, 0);
            List<double[]> peaks = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                double t = tool(uri, "peak-" + round, seconds, 0)[0];
                double d = driver(factory, "peak-" + round, seconds, 0)[0];
                peaks.add(new double[] {t, d});
            }
            double[] toolFixed = tool(uri, "fixed", seconds, rate);
            double[] driverFixed = driver(factory, "fixed", seconds, rate);
            System.out.println();
            System.out.printf(Locale.ROOT, "RabbitMQ: PerfTest vs the load driver, 1 KiB persistent, confirms, 1 producer,"
                    + " 1 consumer (ack each, prefetch 500), classic queue, %d s runs; load average now %s%n", seconds,
                    Bench.loadAverage());
            System.out.println("| measurement | PerfTest | driver | driver/tool |");
            System.out.println("|---|---:|---:|---:|");
            double[] ratios = new double[peaks.size()];
            for (int i = 0; i < peaks.size(); i++) {
                double[] p = peaks.get(i);
                ratios[i] = p[1] / p[0];
                System.out.printf(Locale.ROOT, "| peak, round %d (msg/s sent) | %,.0f | %,.0f | %.2f |%n", i + 1, p[0], p[1],
                        ratios[i]);
            }
            System.out.printf(Locale.ROOT, "| peak, median of the paired ratios | | | %.2f |%n", Paired.median(ratios));
            String[] names = {"achieved msg/s", "latency p50 ms", "latency p95 ms", "latency p99 ms"};
            for (int i = 0; i < names.length; i++) {
                System.out.printf(Locale.ROOT, "| %,d msg/s: %s | %.3f | %.3f | |%n", rate, names[i], toolFixed[i],
                        driverFixed[i]);
            }
            System.out.println("(PerfTest's latency: consumer latency, publish to receive, from a timestamp in the body;"
                    + " the driver's: end-to-end, send() to receive, from the stamp)");
        }
    }

    /** PerfTest in this JVM: {rate sent, p50, p95, p99 consumer latency in ms}. */
    static double[] tool(String uri, String name, int seconds, int rate) throws Exception {
        List<String> args = new ArrayList<>(List.of("--uri", uri, "--producers", "1", "--consumers", "1",
                "--size", "1024", "--flag", "persistent", "--confirm", "10000", "--qos", "500",
                "--queue", "perftest-" + name, "--auto-delete", "true", "--time", Integer.toString(seconds),
                "--id", "perftest-" + name));
        if (rate > 0) {
            args.addAll(List.of("--rate", Integer.toString(rate)));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(out, true, StandardCharsets.UTF_8);
        Bench.Cpu cpu = Bench.Cpu.now();
        PerfTest.main(args.toArray(String[]::new), new PerfTest.PerfTestOptions()
                .setSystemExiter(status -> { })
                .setConsoleOut(console).setConsoleErr(console));
        Bench.Cpu end = Bench.Cpu.now();
        String text = out.toString(StandardCharsets.UTF_8);
        double sent = last(SENT, text);
        double received = last(RECEIVED, text);
        Matcher m = CONSUMER_LATENCY.matcher(text);
        double[] latency = {Double.NaN, Double.NaN, Double.NaN};
        while (m.find()) {
            double unit = m.group(6).equals("ms") ? 1 : 1e-3;
            latency = new double[] {Double.parseDouble(m.group(2)) * unit, Double.parseDouble(m.group(4)) * unit,
                    Double.parseDouble(m.group(5)) * unit};
        }
        System.out.printf(Locale.ROOT, "PerfTest %-8s sent %,.0f msg/s, received %,.0f msg/s, consumer latency p50 %.3f"
                        + " p95 %.3f p99 %.3f ms  [CPU this JVM %.0f%%, others %.0f%%]%n", name, sent, received, latency[0],
                latency[1], latency[2], end.selfSince(cpu), end.othersSince(cpu));
        if (Double.isNaN(sent)) {
            System.out.println(text);
        }
        return new double[] {sent, latency[0], latency[1], latency[2]};
    }

    private static double last(Pattern p, String text) {
        Matcher m = p.matcher(text);
        double v = Double.NaN;
        while (m.find()) {
            v = Double.parseDouble(m.group(1));
        }
        return v;
    }

    /** The load driver: {achieved rate, end-to-end p50, p95, p99 in ms}; rate 0 = as fast as it can. */
    static double[] driver(ConnectionFactory factory, String name, int seconds, int rate) {
        Schedule schedule = rate > 0 ? Schedule.constant(rate, Duration.ofSeconds(seconds))
                : Schedule.constant(1_000_000, Duration.ofMillis(seconds * 30L)); // 30,000 messages a second of run
        Bench.Cpu cpu = Bench.Cpu.now();
        LoadReport r = LoadRun.builder(RabbitLoadDriver.builder(factory).build())
                .destination("driver-" + name)
                .schedule(schedule)
                .messageSize(1024)
                .producers(1)
                .consumers(1)
                .progressListener(p -> { })
                .run();
        Bench.Cpu end = Bench.Cpu.now();
        LatencyReport report = r.report();
        double[] result = {r.achievedRate(), Bench.ms(report.endToEnd().p50()),
                Bench.ms(report.endToEnd().percentile(95)), Bench.ms(report.endToEnd().p99())};
        System.out.printf(Locale.ROOT, "driver   %-8s sent %,d, %,.0f msg/s, end-to-end p50 %.3f p95 %.3f p99 %.3f ms,"
                        + " lost %d  [CPU this JVM %.0f%%, others %.0f%%]%n", name, r.sent(), result[0], result[1], result[2],
                result[3], report.counts().lost(), end.selfSince(cpu), end.othersSince(cpu));
        return result;
    }
}
