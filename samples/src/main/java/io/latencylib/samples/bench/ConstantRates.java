package io.latencylib.samples.bench;

import io.latencylib.StageStats;
import io.latencylib.kafka.KafkaLoadDriver;
import io.latencylib.kafka.embedded.EmbeddedKafka;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.Schedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Acceptance 1: constant 1,000, 10,000 and 50,000 msg/s of 1 KiB messages, 20 s each after a 3 s
 * warm-up, acks=all, one producer and one consumer, a fresh topic per rate, on the embedded broker.
 * Prints each run's full report, then one summary line per rate.
 *
 * <p>Settings (optional, {@code -Dbench.args="..."}): {@code rate:lingerMs:batchBytes[:producers]} per run,
 * blank-separated, e.g. {@code -Dbench.args="50000:5:65536:2 50000:10:131072"}.
 */
public final class ConstantRates {

    /** One run: the rate, and the producer settings judged best for it. */
    record Setting(int rate, int lingerMs, int batchBytes, int producers) {
        static Setting parse(String s) {
            String[] f = s.split(":");
            return new Setting(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                    f.length > 3 ? Integer.parseInt(f[3]) : 1);
        }
    }

    /**
     * 1k/s: linger 0, each message leaves on its own at once (the next one is 1 ms away).
     * 10k/s: linger 1 ms, a few messages share a request. 50k/s: linger 20 ms and 256 KiB batches:
     * tried against 5 ms/64 KiB (p99 ~400 ms), 10 ms/128 KiB (~300 ms) and two producers at 5 ms (~300 ms),
     * fewer, bigger requests leave the broker and the consumer the most CPU on two cores (p99 ~100 ms).
     */
    static final List<Setting> DEFAULTS = List.of(
            new Setting(1_000, 0, 16_384, 1),
            new Setting(10_000, 1, 16_384, 1),
            new Setting(50_000, 20, 262_144, 1));

    public static void main(String[] args) {
        List<Setting> settings = new ArrayList<>();
        for (String a : Bench.args()) {
            settings.add(Setting.parse(a));
        }
        if (settings.isEmpty()) {
            settings.addAll(DEFAULTS);
        }
        List<String> lines = new ArrayList<>();
        try (EmbeddedKafka kafka = Bench.broker()) {
            for (Setting s : settings) {
                Map<String, Object> producer = Bench.producer(kafka.bootstrapServers(), s.lingerMs(), s.batchBytes());
                KafkaLoadDriver driver = KafkaLoadDriver.create(producer, Map.of(), 0);
                System.out.printf(Locale.ROOT, "%n=== %,d msg/s, linger.ms=%d, batch.size=%d, producers=%d ===%n",
                        s.rate(), s.lingerMs(), s.batchBytes(), s.producers());
                Bench.Cpu cpu = Bench.Cpu.now();
                LoadReport r = LoadRun.builder(driver)
                        .destination("constant-" + s.rate() + "-" + System.nanoTime())
                        .schedule(Schedule.constant(s.rate(), Duration.ofSeconds(20)))
                        .warmUp(Duration.ofSeconds(3))
                        .messageSize(1024)
                        .producers(s.producers())
                        .consumers(1)
                        .progressListener(p -> { })
                        .run();
                Bench.Cpu end = Bench.Cpu.now();
                System.out.print(r.toTable());
                lines.add(summary(s, r) + String.format(Locale.ROOT, " | %3.0f%% / %3.0f%%", end.selfSince(cpu),
                        end.othersSince(cpu)));
            }
        }
        System.out.printf(Locale.ROOT, "%n%-8s %-18s %10s %6s | %-24s %6s | %-17s %-17s | %s%n", "target", "linger/batch/prod",
                "achieved", "in 1%", "lateness p50/p99/max ms", "late", "e2e corr p50/p99", "e2e uncorr p50/p99",
                "drained | CPU this JVM / others (% of all cores)");
        lines.forEach(System.out::println);
    }

    static String summary(Setting s, LoadReport r) {
        double achieved = r.achievedRate();
        boolean within = Math.abs(achieved - s.rate()) <= 0.01 * s.rate();
        StageStats late = r.lateness().orElseThrow();
        StageStats c = r.endToEndCorrected();
        StageStats u = r.endToEndUncorrected();
        return String.format(Locale.ROOT, "%-8d %-18s %10.1f %6s | %6.3f/%7.3f/%8.3f %6d | %7.2f/%8.2f %7.2f/%8.2f | %s",
                s.rate(), s.lingerMs() + "/" + s.batchBytes() + "/" + s.producers(), achieved, within ? "yes" : "NO",
                Bench.ms(late.p50()), Bench.ms(late.p99()), Bench.ms(late.max()), r.lateMessages(),
                Bench.ms(c.p50()), Bench.ms(c.p99()), Bench.ms(u.p50()), Bench.ms(u.p99()), r.drained());
    }
}
