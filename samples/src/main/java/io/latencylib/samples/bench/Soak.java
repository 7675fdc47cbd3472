package io.latencylib.samples.bench;

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
 * Acceptance 4: 10 minutes (and 10 s) at 20,000 msg/s of 1 KiB messages (after a 1 minute warm-up), one
 * producer, one consumer. Every minute, from the end of the warm-up on, the heap used after a full
 * {@code System.gc()} is printed with that minute's progress; memory should stay flat. (Each forced
 * collection pauses everything in this JVM, broker included, once a minute: it shows in the max.)
 * The final report table follows. Not part of the test suite.
 *
 * <p>Settings (optional, {@code -Dbench.args="rate:minutes:lingerMs:batchBytes"}), default {@code 20000:10:5:65536}.
 */
public final class Soak {

    record Sample(double minute, double heapMiB, String progress) {
    }

    public static void main(String[] args) {
        List<String> a = Bench.args();
        String[] f = (a.isEmpty() ? "20000:10:5:65536" : a.get(0)).split(":");
        int rate = Integer.parseInt(f[0]);
        int minutes = Integer.parseInt(f[1]);
        int lingerMs = Integer.parseInt(f[2]);
        int batchBytes = Integer.parseInt(f[3]);
        Duration warmUp = Duration.ofMinutes(1);
        List<Sample> samples = new ArrayList<>();
        try (EmbeddedKafka kafka = Bench.broker()) {
            System.out.printf(Locale.ROOT, "soak: %,d msg/s of 1 KiB for %d min after a %d s warm-up, linger.ms=%d,"
                    + " batch.size=%d, acks=all%n", rate, minutes, warmUp.toSeconds(), lingerMs, batchBytes);
            System.out.printf(Locale.ROOT, "%7s %14s  %s%n", "minute", "heap after GC", "progress over the last minute");
            Bench.Cpu cpu = Bench.Cpu.now();
            LoadReport r = LoadRun.builder(KafkaLoadDriver.create(
                            Bench.producer(kafka.bootstrapServers(), lingerMs, batchBytes), Map.of(), 0))
                    .destination("soak")
                    // 10 s more, so that the last minute's sample is taken while the load still runs
                    .schedule(Schedule.constant(rate, Duration.ofMinutes(minutes).plusSeconds(10)))
                    .warmUp(warmUp)
                    .messageSize(1024)
                    .progressEvery(Duration.ofMinutes(1)) // the first line comes at the end of the warm-up
                    .progressListener(p -> {
                        double minute = (p.elapsed().toMillis() - warmUp.toMillis()) / 60_000.0;
                        Sample s = new Sample(minute, Bench.heapAfterGcMiB(), p.toString());
                        samples.add(s);
                        System.out.printf(Locale.ROOT, "%7.1f %10.1f MiB  %s  [load %s]%n", s.minute(), s.heapMiB(),
                                s.progress(), Bench.loadAverage());
                    })
                    .run();
            Bench.Cpu end = Bench.Cpu.now();
            double after = Bench.heapAfterGcMiB();
            System.out.printf(Locale.ROOT, "after the run (driver closed, broker up): %.1f MiB after GC%n", after);
            Sample first = samples.get(0);
            Sample last = samples.get(samples.size() - 1);
            double max = samples.stream().mapToDouble(Sample::heapMiB).max().orElseThrow();
            System.out.printf(Locale.ROOT, "%nheap after GC: %.1f MiB at minute %.1f, %.1f MiB at minute %.1f"
                            + " (%+.1f MiB), highest %.1f MiB; CPU this JVM %.0f%%, others %.0f%%%n%n", first.heapMiB(),
                    first.minute(), last.heapMiB(), last.minute(), last.heapMiB() - first.heapMiB(), max,
                    end.selfSince(cpu), end.othersSince(cpu));
            System.out.print(r.toTable());
        }
    }
}
