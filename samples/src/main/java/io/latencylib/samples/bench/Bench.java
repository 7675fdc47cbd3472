package io.latencylib.samples.bench;

import io.latencylib.kafka.embedded.EmbeddedKafka;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** What the benchmarks share: the broker, producer settings, and small formatting helpers. */
final class Bench {

    private Bench() {
    }

    /**
     * A real Kafka broker in this JVM, its data under {@code target/}. Retention is bounded (1 GiB a
     * partition) and deleted topics leave the disk within a second, so that long runs do not fill the
     * disk: the soak writes 12 GB, a throughput search 20 GB or more over its topics, which
     * {@link #deleteTopics} removes as it goes. {@code -Dbench.dataDir=/dev/shm} puts the broker's log on
     * tmpfs instead, so that the VM disk's writeback (a search writes ~300 MB/s) is not part of what is
     * measured.
     */
    static EmbeddedKafka broker() {
        String dataDir = System.getProperty("bench.dataDir", "target");
        System.out.printf(Locale.ROOT, "%s, %d cores, max heap %d MiB, Java %s, load average %s: starting the"
                        + " embedded broker (log under %s)...%n", LocalDate.now(), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"), loadAverage(), dataDir);
        return EmbeddedKafka.builder()
                .parentDirectory(Path.of(dataDir))
                .brokerProperty("log.segment.bytes", Integer.toString(256 << 20))
                .brokerProperty("log.retention.bytes", Long.toString(1L << 30))
                .brokerProperty("log.retention.check.interval.ms", "10000")
                // the broker-level name of the topic setting file.delete.delay.ms (default 60 s: a search's deleted
                // topics, ~3 GB a probe, would stay on disk for a minute, being written back meanwhile)
                .brokerProperty("log.segment.delete.delay.ms", "1000")
                .start();
    }

    /** Deletes every topic whose name starts with {@code prefix} (and so its data). */
    static void deleteTopics(EmbeddedKafka kafka, String prefix) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Set<String> topics = admin.listTopics().names().get().stream().filter(t -> t.startsWith(prefix))
                    .collect(Collectors.toSet());
            if (!topics.isEmpty()) {
                admin.deleteTopics(topics).all().get();
                // wait until they are gone: KafkaLoadDriver describes its new topic right after creating it,
                // and with deletions still in flight that describe failed (UnknownTopicOrPartitionException)
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (admin.listTopics().names().get().stream().anyMatch(topics::contains)
                        && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(200_000_000L);
                }
                LockSupport.parkNanos(1_000_000_000L);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not delete the topics " + prefix + "*: " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Producer properties of every benchmark: acks=all, the given linger and batch size. */
    static Map<String, Object> producer(String bootstrapServers, int lingerMs, int batchBytes) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(lingerMs));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(batchBytes));
        return p;
    }

    /** The benchmark's settings: the system property {@code bench.args} (set by -Dbench.args=...), split on blanks. */
    static List<String> args() {
        String a = System.getProperty("bench.args", "").trim();
        return a.isEmpty() ? List.of() : List.of(a.split("\\s+"));
    }

    /** The 1-minute load average (other work on this shared machine shows here), or "?" off Linux. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /**
     * CPU time of the whole machine and of this JVM, from /proc: {@link #othersSince} tells how much of
     * the machine other processes took meanwhile. The machine is shared; figures taken while others
     * were busy are not comparable.
     */
    record Cpu(long machineBusy, long machineTotal, long self) {
        static Cpu now() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length; i++) {
                    total += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                String self = Files.readString(Path.of("/proc/self/stat"));
                String[] g = self.substring(self.lastIndexOf(')') + 2).split(" ");
                return new Cpu(total - idle, total, Long.parseLong(g[11]) + Long.parseLong(g[12]));
            } catch (IOException | RuntimeException e) {
                return new Cpu(0, 0, 0);
            }
        }

        /** @return the share of the machine's CPU time (all cores) other processes used since {@code start}, % */
        double othersSince(Cpu start) {
            long total = machineTotal - start.machineTotal;
            long others = (machineBusy - start.machineBusy) - (self - start.self);
            return total <= 0 ? Double.NaN : Math.max(0, 100.0 * others / total);
        }

        /** @return the share of the machine's CPU time (all cores) this JVM used since {@code start}, % */
        double selfSince(Cpu start) {
            long total = machineTotal - start.machineTotal;
            return total <= 0 ? Double.NaN : 100.0 * (self - start.self) / total;
        }
    }

    /**
     * CPU time per thread group (thread names without their numbers), sampled every 100 ms so that
     * threads that end during the run (the sender, the producer's I/O thread) are counted too.
     */
    static final class ThreadCpu implements AutoCloseable {
        private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        private final Map<Long, Long> first = new HashMap<>();
        private final Map<Long, Long> last = new HashMap<>();
        private final Map<Long, String> names = new HashMap<>();
        private final Thread sampler;
        private volatile boolean running = true;

        ThreadCpu() {
            sample(true);
            sampler = new Thread(() -> {
                while (running) {
                    LockSupport.parkNanos(100_000_000L);
                    sample(false);
                }
            }, "bench-cpu-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        private synchronized void sample(boolean start) {
            for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
                if (t == null) {
                    continue;
                }
                long cpu = mx.getThreadCpuTime(t.getThreadId());
                if (cpu < 0) {
                    continue;
                }
                if (start) {
                    first.put(t.getThreadId(), cpu);
                } else {
                    first.putIfAbsent(t.getThreadId(), 0L);
                }
                last.put(t.getThreadId(), cpu);
                names.put(t.getThreadId(), t.getThreadName().replaceAll("[0-9]+", "#"));
            }
        }

        /** Stops sampling (after a last sample). */
        @Override
        public synchronized void close() {
            running = false;
            sample(false);
        }

        /** @return CPU nanoseconds per thread group since this was made */
        synchronized Map<String, Long> byGroup() {
            Map<String, Long> groups = new HashMap<>();
            last.forEach((id, cpu) -> groups.merge(names.get(id), cpu - first.get(id), Long::sum));
            return groups;
        }
    }

    static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    /** Heap used after a full collection, MiB. */
    static double heapAfterGcMiB() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
    }
}
