package io.latencylib.samples.bench;

import io.latencylib.LatencyRecorder;
import io.latencylib.kafka.KafkaLoadDriver;
import io.latencylib.kafka.embedded.EmbeddedKafka;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.MaxThroughputSearch;
import io.latencylib.load.Schedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Acceptance 4: the maximum sustainable throughput, searched three times on the same broker (1 KiB
 * messages, acks=all, one producer, one consumer, probes of 8 s after a 2 s warm-up, starting at
 * 20,000 msg/s, each rate judged by the majority of up to three probes, a probe stopped once it is 2 s
 * behind), after 90 s of load that warms the JIT up. The three answers should be within 10% of each
 * other.
 *
 * <p>Settings (optional, {@code -Dbench.args="lingerMs:batchBytes:partitions"}): the producer's linger and
 * batch size, default {@code 20:262144} (what held 50,000 msg/s best in {@link ConstantRates}), and the
 * topic's partitions, default 4 (one partition carries one batch a request and answered less steadily).
 * {@code -Dbench.jvmArgs=-Dbench.dataDir=/dev/shm} puts the broker's log on tmpfs (see {@link Bench#broker()}).
 */
public final class MaxThroughput {

    private static final String DEFAULT_SETTINGS = "20:262144:4";

    public static void main(String[] args) {
        List<String> a = Bench.args();
        String[] f = (a.isEmpty() ? DEFAULT_SETTINGS : a.get(0)).split(":");
        int lingerMs = Integer.parseInt(f[0]);
        int batchBytes = Integer.parseInt(f[1]);
        int partitions = Integer.parseInt((f.length > 2 ? f : DEFAULT_SETTINGS.split(":"))[2]);
        List<Double> answers = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        long start = System.nanoTime();
        try (EmbeddedKafka kafka = Bench.broker()) {
            KafkaLoadDriver driver = KafkaLoadDriver.create(
                    Bench.producer(kafka.bootstrapServers(), lingerMs, batchBytes), java.util.Map.of(), partitions);
            // Warm the JIT up first, not counted: without it the first search answered lowest in three runs of
            // three. A ramp, because a cold JVM asked for 200,000 msg/s at once falls 5 s behind within seconds.
            LoadReport warm = LoadRun.builder(driver).destination("max-warm-up")
                    .schedule(Schedule.ramp(20_000, 150_000, Duration.ofSeconds(90))).messageSize(1024)
                    .recorder(LatencyRecorder.builder().joinCapacity(1 << 18).build())
                    .abortWhenBehind(Duration.ofSeconds(10))
                    .progressListener(p -> { }).run();
            Bench.deleteTopics(kafka, "max-warm-up");
            System.out.printf(Locale.ROOT, "JIT warm-up (not counted): 90 s ramp 20,000 to 150,000 msg/s, achieved %.0f msg/s%s%n",
                    warm.achievedRate(), warm.aborted().map(why -> " (" + why + ")").orElse(""));
            for (int i = 1; i <= 3; i++) {
                long t0 = System.nanoTime();
                Bench.Cpu cpu = Bench.Cpu.now();
                MaxThroughputSearch.Result result = MaxThroughputSearch.builder(driver)
                        .destinationPrefix("max-" + i)
                        .startRate(20_000)
                        .probeDuration(Duration.ofSeconds(8), Duration.ofSeconds(2))
                        // called before each probe: the previous probes' topics go (a search writes 20 GB or
                        // more); a fresh recorder with room for the ~100,000 messages in flight near the top
                        // (the default 32,768 join slots overflow there and log a warning)
                        .configure(run -> {
                            Bench.deleteTopics(kafka, "max-");
                            run.messageSize(1024).producers(1).consumers(1)
                                    .recorder(LatencyRecorder.builder().joinCapacity(1 << 18).build());
                        })
                        .run();
                Bench.Cpu end = Bench.Cpu.now();
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "%nsearch %d (linger.ms=%d, batch.size=%d, partitions=%d), %.0f s:%n%s", i,
                        lingerMs, batchBytes, partitions, seconds, result.toTable());
                answers.add(result.maxRate());
                lines.add(String.format(Locale.ROOT, "search %d: %,9.0f msg/s  %3d probes  %5.0f s  CPU this JVM %3.0f%%,"
                                + " others %3.0f%%", i, result.maxRate(), result.probes().size(), seconds,
                        end.selfSince(cpu), end.othersSince(cpu)));
            }
        }
        double max = Collections.max(answers);
        double min = Collections.min(answers);
        double spread = min > 0 ? max / min - 1 : Double.POSITIVE_INFINITY;
        System.out.println();
        lines.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "spread max/min - 1 = %.1f%% (acceptance: within 10%%: %s); total %.0f s%n",
                100 * spread, spread <= 0.10 ? "PASS" : "FAIL", (System.nanoTime() - start) / 1e9);
    }
}
