package io.latencylib.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.LatencyReport;
import io.latencylib.kafka.embedded.EmbeddedKafka;
import io.latencylib.report.LatencyReports;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three worker processes (separate JVMs, the Kubernetes Job's environment variables set by hand) share a
 * global schedule of 30,000 msg/s against one embedded Kafka; the merge adds their results exactly and
 * checks the counts against the schedule; a single process at the same total rate agrees on p50.
 */
class DistributedWorkersTest {

    private static final int WORKERS = 3;
    private static final double RATE = 30_000;
    private static final Duration DURATION = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void threeWorkerJvmsMergeIntoTheGlobalSchedule() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            Path driver = dir.resolve("kafka-local.yaml");
            // OMB's kafka-latency.yaml pointed at this broker, with the replication one broker can have
            Files.writeString(driver, Files.readString(Path.of("examples/driver-kafka/kafka-latency.yaml"))
                    .replace("localhost:9092", kafka.bootstrapServers())
                    .replace("replicationFactor: 3", "replicationFactor: 1")
                    .replace("min.insync.replicas=2", "min.insync.replicas=1"));
            Path workload = Path.of("examples/workloads/1-topic-1-partition-1kb.yaml");
            Path results = dir.resolve("results");
            Instant t0 = Instant.now().plusSeconds(25).truncatedTo(ChronoUnit.SECONDS);
            List<Process> workers = new ArrayList<>();
            for (int i = 0; i < WORKERS; i++) {
                ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString(), "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                        System.getProperty("java.class.path"), BenchCli.class.getName(), "worker", "-d",
                        driver.toString(), "-o", results.toString(), "--duration", "10s", "--warmup", "10s", "--rate",
                        "30000", "--interval", "2s", workload.toString());
                pb.environment().put(Workers.ENV_INDEX, Integer.toString(i));
                pb.environment().put(Workers.ENV_COUNT, Integer.toString(WORKERS));
                pb.environment().put(Workers.ENV_T0, t0.toString());
                pb.redirectErrorStream(true).redirectOutput(dir.resolve("worker-" + i + ".log").toFile());
                workers.add(pb.start());
            }
            for (int i = 0; i < WORKERS; i++) {
                assertThat(workers.get(i).waitFor(180, TimeUnit.SECONDS)).as("worker %d ended", i).isTrue();
                assertThat(workers.get(i).exitValue()).as("worker %d exit code; its log:%n%s", i,
                        Files.readString(dir.resolve("worker-" + i + ".log"))).isZero();
            }

            ByteArrayOutputStream text = new ByteArrayOutputStream();
            Workers.Merged merged = Workers.merge(results, new PrintStream(text, true, StandardCharsets.UTF_8));
            System.out.println(text.toString(StandardCharsets.UTF_8));
            long global = (long) (RATE * DURATION.toSeconds());
            assertThat(merged.problems()).isEmpty();
            assertThat(merged.globalExpected()).isEqualTo(global);
            assertThat(merged.sentSum()).isEqualTo(global);
            assertThat(merged.receivedSum()).isEqualTo(global);
            assertThat(merged.report().counts().sent()).isEqualTo(global);
            assertThat(merged.report().counts().lost()).isZero();

            // the merged end-to-end histograms are the exact sums of the workers'
            Histogram e2e = null;
            Histogram corrected = null;
            for (int i = 0; i < WORKERS; i++) {
                LatencyReport w = LatencyReports.readJson(results.resolve("worker-" + i + ".latency.json")).latency();
                assertThat(w.counts().sent()).isBetween(global / WORKERS, global / WORKERS + 1);
                e2e = add(e2e, w.endToEnd().histogram());
                corrected = add(corrected, w.endToEndFromIntended().orElseThrow().histogram());
            }
            assertThat(merged.report().endToEnd().histogram()).isEqualTo(e2e);
            assertThat(merged.report().endToEndFromIntended().orElseThrow().histogram()).isEqualTo(corrected);
            assertThat(merged.report().endToEnd().count()).isEqualTo(global);
            assertThat(merged.achievedRate()).isCloseTo(RATE, org.assertj.core.data.Percentage.withPercentage(1));

            // the same total rate from one process, against the same broker
            BenchRun.Result single = BenchRun.run(Workload.read(workload), DriverFile.read(driver), null,
                    new BenchRun.Settings(DURATION, Duration.ofSeconds(10), RATE, Duration.ofSeconds(2),
                            dir.resolve("single"), Duration.ofSeconds(8), Duration.ofSeconds(2), 20_000), null,
                    "single", System.out);
            double p50Single = single.report().endToEndCorrected().p50().toNanos() / 1e6;
            double p50Merged = merged.report().endToEndFromIntended().orElseThrow().p50().toNanos() / 1e6;
            System.out.printf("end-to-end p50 (corrected): 3 workers merged %.3f ms, one process %.3f ms%n", p50Merged,
                    p50Single);
            // wide margins: 2 busy cores, 4 JVMs against 1 (a CI run saw 39.6 against 17.2 ms while the VM's
            // hypervisor took CPU); the p50 must be of the same order, which a merge or clock error is not
            assertThat(p50Merged).isLessThan(Math.max(4 * p50Single, p50Single + 50));
            assertThat(p50Single).isLessThan(Math.max(4 * p50Merged, p50Merged + 50));
            assertThat(Files.readString(results.resolve("merged.bench.json"))).contains("producer worker 2 ->"
                    + " consumer worker 2");

            // a worker that is not ready to send by T0 fails, naming why
            assertThatThrownBy(() -> BenchRun.run(Workload.read(workload), DriverFile.read(driver), null,
                    new BenchRun.Settings(Duration.ofSeconds(2), Duration.ZERO, 1000.0, Duration.ofSeconds(1),
                            dir.resolve("late"), Duration.ofSeconds(8), Duration.ofSeconds(2), 20_000),
                    new io.latencylib.load.WorkerShare(1, 3, Instant.now()), "worker-1", System.out))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("worker 1 of 3 could not start by T0");
        }
    }

    private static Histogram add(Histogram sum, Histogram h) {
        if (sum == null) {
            return h.copy();
        }
        sum.add(h);
        return sum;
    }

    @SuppressWarnings("unused")
    private static String classpath() throws IOException {
        return System.getProperty("java.class.path").replace(File.pathSeparatorChar, '\n');
    }
}
