package io.latencylib.samples.bench;

import io.latencylib.kafka.KafkaLoadDriver;
import io.latencylib.kafka.embedded.EmbeddedKafka;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.Schedule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * Acceptance 3: the load driver's peak against Kafka's own {@code ProducerPerformance}, in this JVM,
 * on the same broker, with the same producer settings (acks=all, linger, batch size), 1 KiB records,
 * producer only. Each side sends the same number of records as fast as it can: the tool with
 * {@code --throughput -1}, the driver on a constant schedule of 1,000,000 msg/s, which it cannot
 * keep, so that it sends back to back and {@link LoadReport#achievedRate()} is its peak. (The
 * schedule lasts records/1,000,000 s: a sender never skips what is due, so "1,000,000 msg/s for 15 s"
 * would mean 15 million records.) One untimed round of each warms the JIT up; then five rounds
 * of tool then driver; the medians are compared (and each round's ratio printed). Acceptance: driver/tool at least 90%.
 *
 * <p>The tool is given its payloads in a file (16 payloads of 1,024 letters), as the driver draws from
 * a pool of 16 payloads made before the run: with {@code --record-size} alone it refills the payload
 * with 1,024 random draws for every record, a cost of the tool, not of Kafka, that on two cores made
 * the driver look about 40% faster than the tool.
 *
 * <p>Settings (optional, {@code -Dbench.args="records:lingerMs:batchBytes[:size]"}), default
 * {@code 3000000:5:65536}; {@code :size} gives the tool {@code --record-size 1024} instead of the file.
 */
public final class ProducerPerfComparison {

    /** Rounds of tool then driver; single runs on this shared machine vary by a factor of two. */
    private static final int ROUNDS = 5;

    private static final Pattern RATE = Pattern.compile("([0-9.]+) records/sec");

    public static void main(String[] args) throws Exception {
        List<String> a = Bench.args();
        String[] f = (a.isEmpty() ? "3000000:5:65536" : a.get(0)).split(":");
        int records = Integer.parseInt(f[0]);
        int lingerMs = Integer.parseInt(f[1]);
        int batchBytes = Integer.parseInt(f[2]);
        Path payloads = f.length > 3 && f[3].equals("size") ? null : payloadFile();
        List<Double> tool = new ArrayList<>();
        List<Double> driver = new ArrayList<>();
        try (EmbeddedKafka kafka = Bench.broker()) {
            Map<String, Object> producer = Bench.producer(kafka.bootstrapServers(), lingerMs, batchBytes);
            System.out.printf(Locale.ROOT, "producer settings of both: %s; %,d records of 1024 bytes per run%n",
                    producer, records);
            System.out.printf(Locale.ROOT, "warm-up (not counted): tool %.0f msg/s, driver %.0f msg/s%n",
                    tool(kafka, "perf-warm", records / 5, producer, payloads), driver(kafka, "driver-warm", records / 5, producer));
            for (int round = 1; round <= ROUNDS; round++) {
                tool.add(tool(kafka, "perf-" + round, records, producer, payloads));
                driver.add(driver(kafka, "driver-" + round, records, producer));
            }
        }
        double t = median(tool);
        double d = median(driver);
        List<Double> paired = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            paired.add(100 * driver.get(i) / tool.get(i));
        }
        System.out.printf(Locale.ROOT, "%nProducerPerformance: %s msg/s, median %.0f%n", text(tool), t);
        System.out.printf(Locale.ROOT, "load driver:         %s msg/s, median %.0f%n", text(driver), d);
        System.out.printf(Locale.ROOT, "driver/tool per round: %s %%, median %.1f%%%n", text(paired), median(paired));
        System.out.printf(Locale.ROOT, "driver/tool = %.1f%% of the medians (acceptance >= 90%%: %s)%n", 100 * d / t,
                d / t >= 0.9 ? "PASS" : "FAIL");
    }

    /** Runs Kafka's tool in this JVM, its output captured; returns its records/sec. */
    static double tool(EmbeddedKafka kafka, String topic, int records, Map<String, Object> producer, Path payloads)
            throws Exception {
        Bench.deleteTopics(kafka, ""); // the earlier runs' 4 GB each
        kafka.createTopic(topic, 1, Map.of("message.timestamp.type", "LogAppendTime")); // as the driver makes it
        List<String> args = new ArrayList<>(List.of("--topic", topic, "--num-records", Integer.toString(records),
                "--throughput", "-1"));
        args.addAll(payloads == null ? List.of("--record-size", "1024") : List.of("--payload-file", payloads.toString()));
        args.add("--producer-props");
        producer.forEach((k, v) -> args.add(k + "=" + v));
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // The tool calls Exit.exit only on bad arguments; make that throw instead of ending the JVM.
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("ProducerPerformance wanted to exit(" + code + "): " + message);
        });
        Bench.Cpu cpu = Bench.Cpu.now();
        Bench.ThreadCpu threads = new Bench.ThreadCpu();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            ProducerPerformance.main(args.toArray(String[]::new));
        } finally {
            System.setOut(out);
            Exit.resetExitProcedure();
            threads.close();
        }
        Bench.Cpu end = Bench.Cpu.now();
        String summary = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("99.9th"))
                .reduce((x, y) -> y).orElseThrow(() -> new IllegalStateException("no summary line in:\n" + captured));
        Matcher m = RATE.matcher(summary);
        if (!m.find()) {
            throw new IllegalStateException("cannot parse: " + summary);
        }
        System.out.printf(Locale.ROOT, "tool   %-12s %s  [CPU this JVM %.0f%%, others %.0f%%]%n", topic, summary,
                end.selfSince(cpu), end.othersSince(cpu));
        printCpu(threads, "main", "kafka-producer-network-thread | perf-producer-client", records);
        return Double.parseDouble(m.group(1));
    }

    /** Runs the load driver, producer only, at a rate it cannot keep; returns its achieved rate. */
    static double driver(EmbeddedKafka kafka, String topic, int records, Map<String, Object> producer) {
        Bench.deleteTopics(kafka, ""); // the earlier runs' 4 GB each
        Bench.Cpu cpu = Bench.Cpu.now();
        Bench.ThreadCpu threads = new Bench.ThreadCpu();
        LoadReport r = LoadRun.builder(KafkaLoadDriver.create(producer, Map.of(), 0))
                .destination(topic)
                .schedule(Schedule.constant(1_000_000, Duration.ofNanos(records * 1_000L)))
                .messageSize(1024)
                .producers(1)
                .consumers(0)
                .progressListener(p -> { })
                .run();
        threads.close();
        Bench.Cpu end = Bench.Cpu.now();
        System.out.printf(Locale.ROOT, "driver %-12s %d records sent, %.1f records/sec, producer send->ack p50 %.2f ms,"
                        + " p99 %.2f ms, evicted %d  [CPU this JVM %.0f%%, others %.0f%%]%n", topic, r.sent(),
                r.achievedRate(),
                Bench.ms(r.report().producerLatency().orElseThrow().p50()),
                Bench.ms(r.report().producerLatency().orElseThrow().p99()), r.report().counts().evicted(),
                end.selfSince(cpu), end.othersSince(cpu));
        printCpu(threads, "latency-load-sender-#", "kafka-producer-network-thread | producer-#", records);
        return r.achievedRate();
    }

    /** CPU time per record of the sending thread, the producer's I/O thread, the broker and the whole JVM. */
    static void printCpu(Bench.ThreadCpu threads, String sender, String io, int records) {
        Map<String, Long> g = threads.byGroup();
        long all = g.values().stream().mapToLong(Long::longValue).sum();
        long broker = g.entrySet().stream().filter(e -> e.getKey().startsWith("data-plane-kafka")
                || e.getKey().startsWith("kafka-") && !e.getKey().startsWith("kafka-producer"))
                .mapToLong(Map.Entry::getValue).sum();
        System.out.printf(Locale.ROOT, "       CPU per record: sending thread %.2f us, producer I/O thread %.2f us,"
                        + " broker threads %.2f us, all Java threads %.2f us%n", g.getOrDefault(sender, 0L) / 1e3 / records,
                g.getOrDefault(io, 0L) / 1e3 / records, broker / 1e3 / records, all / 1e3 / records);
    }

    /** 16 payloads of 1,024 random letters, one a line, under target/. */
    static Path payloadFile() throws IOException {
        SplittableRandom random = new SplittableRandom(1);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 1024; j++) {
                text.append((char) ('A' + random.nextInt(26)));
            }
            text.append('\n');
        }
        Path file = Path.of("target", "perf-payloads.txt");
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        return file;
    }

    static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static String text(List<Double> v) {
        return Arrays.toString(v.stream().mapToLong(Math::round).toArray());
    }
}
