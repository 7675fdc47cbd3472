package io.latencylib.bench;

import io.latencylib.load.WorkerShare;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code latency-bench}: runs OpenMessaging Benchmark workloads on OMB driver files, unchanged, and
 * measures them with latency-lib (five stages, corrected and uncorrected latency).
 */
@Command(name = "latency-bench", mixinStandardHelpOptions = true, version = "latency-bench 0.1.0-SNAPSHOT",
        sortOptions = false, usageHelpWidth = 110,
        description = {"Runs OpenMessaging Benchmark (OMB) workloads against Kafka, Pulsar or RabbitMQ, reading OMB's"
                + " workload and driver YAML files unchanged, and measures end-to-end latency split into five stages"
                + " (produce, publish, commit, catch-up, fetch), from the intended send instant.",
                "Results per run: OMB's result JSON (its TestResult fields), the library's JSON, .hlog and HTML, and"
                        + " a .bench.json summary; with several runs, comparison.html."},
        subcommands = {BenchCli.Worker.class, BenchCli.Merge.class, BenchCli.Compare.class, BenchCli.Manifest.class},
        footer = {"", "Examples:",
                "  latency-bench --embedded -d driver-kafka/kafka-latency.yaml --duration 1m workloads/1-topic-1-partition-1kb.yaml",
                "  latency-bench --embedded -d driver-kafka/kafka-latency.yaml,driver-pulsar/pulsar.yaml,driver-rabbitmq/rabbitmq.yaml \\",
                "      --duration 1m --warmup 10s workloads/1-topic-1-partition-1kb.yaml",
                "  latency-bench compare -o comparison.html results/"})
public final class BenchCli implements Callable<Integer> {

    @CommandLine.Mixin
    RunOptions options = new RunOptions();

    @Parameters(arity = "0..*", paramLabel = "WORKLOAD", description = "OMB workload files, e.g."
            + " workloads/1-topic-1-partition-1kb.yaml")
    List<Path> workloads = new ArrayList<>();

    /** Options shared by a run and a worker. */
    static final class RunOptions {
        @Option(names = {"-d", "--drivers"}, split = ",", paramLabel = "FILE",
                description = "Drivers list, e.g. driver-kafka/kafka-latency.yaml,driver-pulsar/pulsar.yaml")
        List<Path> drivers = new ArrayList<>();

        @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "results",
                description = "Directory for the result files (default: ${DEFAULT-VALUE})")
        Path output;

        @Option(names = "--embedded", description = "Run against the embedded brokers (Kafka in this JVM, Pulsar in a"
                + " child JVM, RabbitMQ as a child process): no other set-up; the addresses and the settings one"
                + " local broker cannot have are replaced, and each replacement is printed")
        boolean embedded;

        @Option(names = "--embedded-dir", paramLabel = "DIR", description = "With --embedded: where the brokers keep"
                + " their data (default: the system's temporary directory). A max-rate search writes gigabytes a"
                + " minute; a tmpfs such as /dev/shm keeps the disk's writeback out of what is measured")
        Path embeddedDir;

        @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "Override testDurationMinutes, e.g. 1m, 30s")
        Duration duration;

        @Option(names = "--warmup", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "Override warmupDurationMinutes, e.g. 10s, 0s")
        Duration warmup;

        @Option(names = "--rate", paramLabel = "MSG/S", description = "Override producerRate (0: search the max"
                + " sustainable rate)")
        Double rate;

        @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class,
                defaultValue = "10s", description = "Progress line and result interval (default: ${DEFAULT-VALUE})")
        Duration interval;

        @Option(names = "--probe", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "8s",
                description = "producerRate 0: measured time of each probe (default: ${DEFAULT-VALUE})")
        Duration probe;

        @Option(names = "--probe-warmup", paramLabel = "DURATION", converter = DurationConverter.class,
                defaultValue = "2s", description = "producerRate 0: warm-up of each probe (default: ${DEFAULT-VALUE})")
        Duration probeWarmup;

        @Option(names = "--search-start", paramLabel = "MSG/S", defaultValue = "20000",
                description = "producerRate 0: the first rate probed (default: ${DEFAULT-VALUE})")
        double searchStart;

        BenchRun.Settings settings() {
            return new BenchRun.Settings(duration, warmup, rate, interval, output, probe, probeWarmup, searchStart);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        if (workloads.isEmpty() || options.drivers.isEmpty()) {
            throw new BenchException("give at least one workload file and one driver file (-d), or a command;"
                    + " see --help");
        }
        List<Workload> ws = new ArrayList<>();
        for (Path w : workloads) {
            ws.add(Workload.read(w));
        }
        List<DriverFile> ds = new ArrayList<>();
        for (Path d : options.drivers) {
            ds.add(DriverFile.read(d));
        }
        List<Path> summaries = new ArrayList<>();
        try (Brokers brokers = new Brokers(out, options.embeddedDir)) {
            for (Workload w : ws) {
                for (DriverFile d : ds) {
                    DriverFile.Embedded e = options.embedded ? brokers.forSystem(d.system()) : null;
                    String base = w.stem() + "-" + d.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + BenchRun.stamp();
                    BenchRun.Result r = BenchRun.run(w, d, e, options.settings(), null, base, out);
                    summaries.add(Path.of(r.base() + ".bench.json"));
                }
            }
        }
        if (summaries.size() > 1) {
            Path page = options.output.resolve("comparison.html");
            Files.writeString(page, ComparisonPage.html(ComparisonPage.read(summaries)), StandardCharsets.UTF_8);
            out.println("comparison: " + page);
        }
        return 0;
    }

    /** One load generator's share of a run started by several (a Kubernetes Indexed Job, Slurm, ssh...). */
    @Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
            description = {"Runs this worker's share of the workload: message g of the global schedule belongs to"
                    + " worker g mod N, every intended instant counted from T0. Writes worker-<index>.* into the"
                    + " output directory; 'latency-bench merge' adds the workers' results. A worker not ready to"
                    + " send by T0 fails.",
                    "Each worker sends to a topic (queue) of its own and consumes only its own messages"
                            + " (self-consume): its five stages are split on one clock, and loss is judged."})
    static final class Worker implements Callable<Integer> {
        @CommandLine.Mixin
        RunOptions options = new RunOptions();

        @Option(names = "--index", paramLabel = "I", description = "This worker (default: $" + Workers.ENV_INDEX + ")")
        Integer index;

        @Option(names = "--workers", paramLabel = "N", description = "How many workers (default: $" + Workers.ENV_COUNT
                + ")")
        Integer count;

        @Option(names = "--t0", paramLabel = "INSTANT", description = "When the global schedule starts, ISO-8601 UTC,"
                + " e.g. 2026-12-07T10:00:00Z (default: $" + Workers.ENV_T0 + ")")
        String t0;

        @Parameters(arity = "1", paramLabel = "WORKLOAD", description = "The OMB workload file")
        Path workload;

        @Override
        public Integer call() throws Exception {
            int i = index != null ? index : env(Workers.ENV_INDEX, "--index");
            int n = count != null ? count : env(Workers.ENV_COUNT, "--workers");
            String start = t0 != null ? t0 : System.getenv(Workers.ENV_T0);
            if (start == null) {
                throw new BenchException("T0 missing: give --t0 or set " + Workers.ENV_T0);
            }
            Instant at;
            try {
                at = Instant.parse(start);
            } catch (DateTimeParseException e) {
                throw new BenchException("T0 '" + start + "' is not an ISO-8601 instant such as 2026-12-07T10:00:00Z");
            }
            WorkerShare share = new WorkerShare(i, n, at);
            if (options.drivers.size() != 1) {
                throw new BenchException("a worker runs one driver file: got " + options.drivers);
            }
            Workload w = Workload.read(workload);
            DriverFile d = DriverFile.read(options.drivers.get(0));
            try (Brokers brokers = new Brokers(System.out, options.embeddedDir)) {
                DriverFile.Embedded e = options.embedded ? brokers.forSystem(d.system()) : null;
                BenchRun.run(w, d, e, options.settings(), share, "worker-" + i, System.out);
            }
            return 0;
        }

        private static int env(String name, String option) {
            String v = System.getenv(name);
            if (v == null) {
                throw new BenchException(option + " missing: give it or set " + name);
            }
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new BenchException(name + "='" + v + "' is not a whole number");
            }
        }
    }

    @Command(name = "merge", mixinStandardHelpOptions = true, usageHelpWidth = 110,
            description = "Adds the workers' results in DIR exactly (Histogram.add, intervals aligned to T0), checks"
                    + " the counts against the global schedule, writes merged.* (exit code 1 when a count is off)")
    static final class Merge implements Callable<Integer> {
        @Parameters(arity = "1", paramLabel = "DIR")
        Path dir;

        @Override
        public Integer call() throws Exception {
            Workers.Merged m = Workers.merge(dir, System.out);
            return m.problems().isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true, usageHelpWidth = 110,
            description = "Writes a comparison page of several runs or systems (their .bench.json files, or"
                    + " directories of them): peak sustainable throughput, end-to-end p50/p99/p99.9 per rate, the"
                    + " stage at fault")
    static final class Compare implements Callable<Integer> {
        @Option(names = {"-o", "--output"}, defaultValue = "comparison.html", paramLabel = "FILE")
        Path output;

        @Parameters(arity = "1..*", paramLabel = "RESULT")
        List<Path> results;

        @Override
        public Integer call() throws Exception {
            List<Map<String, Object>> runs = ComparisonPage.read(results);
            Files.writeString(output, ComparisonPage.html(runs), StandardCharsets.UTF_8);
            System.out.println("comparison of " + runs.size() + " runs: " + output);
            return 0;
        }
    }

    @Command(name = "manifest", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
            description = {"Prints a Kubernetes Indexed Job running N workers (parallelism = completions = N, the"
                    + " index from JOB_COMPLETION_INDEX, T0 in " + Workers.ENV_T0 + "). The OMB files come from a"
                    + " ConfigMap, results go to a shared ReadWriteMany volume; then run 'latency-bench merge' on it.",
                    "  kubectl create configmap latency-bench-config --from-file=WORKLOAD.yaml --from-file=DRIVER.yaml",
                    "  latency-bench manifest --workers 3 --image IMAGE -d DRIVER.yaml WORKLOAD.yaml | kubectl apply -f -"})
    static final class Manifest implements Callable<Integer> {
        @Option(names = "--workers", required = true, paramLabel = "N")
        int workers;

        @Option(names = "--image", required = true, paramLabel = "IMAGE",
                description = "A container image with java and /opt/latency-bench/latency-bench.jar (+ lib/)")
        String image;

        @Option(names = "--t0", paramLabel = "INSTANT", description = "Start of the global schedule (default: now +"
                + " --start-in)")
        String t0;

        @Option(names = "--start-in", converter = DurationConverter.class, defaultValue = "3m", paramLabel = "DURATION",
                description = "Time for the pods to be scheduled and ready before T0 (default: ${DEFAULT-VALUE})")
        Duration startIn;

        @Option(names = {"-d", "--driver"}, required = true, paramLabel = "FILE")
        Path driver;

        @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "DURATION")
        Duration duration;

        @Option(names = "--warmup", converter = DurationConverter.class, paramLabel = "DURATION")
        Duration warmup;

        @Option(names = "--rate", paramLabel = "MSG/S", description = "Override producerRate (total of all workers)")
        Double rate;

        @Option(names = "--cpu", defaultValue = "2", description = "CPU per worker (default: ${DEFAULT-VALUE})")
        String cpu;

        @Option(names = "--memory", defaultValue = "2Gi", description = "Memory per worker (default: ${DEFAULT-VALUE})")
        String memory;

        @Option(names = "--name", defaultValue = "latency-bench")
        String name;

        @Option(names = "--configmap", defaultValue = "latency-bench-config")
        String configMap;

        @Option(names = "--claim", defaultValue = "latency-bench-results",
                description = "A ReadWriteMany PersistentVolumeClaim for the results (default: ${DEFAULT-VALUE})")
        String claim;

        @Parameters(arity = "1", paramLabel = "WORKLOAD")
        Path workload;

        @Override
        public Integer call() {
            Instant start = t0 != null ? Instant.parse(t0) : Instant.now().plus(startIn).truncatedTo(
                    java.time.temporal.ChronoUnit.SECONDS);
            List<String> args = new ArrayList<>(List.of("-d", "/config/" + driver.getFileName(), "-o", "/results"));
            if (duration != null) {
                args.addAll(List.of("--duration", duration.toString()));
            }
            if (warmup != null) {
                args.addAll(List.of("--warmup", warmup.toString()));
            }
            if (rate != null) {
                args.addAll(List.of("--rate", String.format(Locale.ROOT, "%.1f", rate)));
            }
            args.add("/config/" + workload.getFileName());
            System.out.print(Workers.manifest(name, workers, start, image, args, cpu, memory, configMap, claim));
            return 0;
        }
    }

    /** Durations as 1m, 30s, 500ms, 1h or ISO-8601 (PT1M). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String v) {
            String s = v.trim().toLowerCase(Locale.ROOT);
            try {
                if (s.startsWith("pt")) {
                    return Duration.parse(v.trim());
                }
                if (s.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
                }
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                return switch (s.charAt(s.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> throw new NumberFormatException();
                };
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + v + "' is not a duration such as 1m, 30s, 500ms,"
                        + " 1h or PT1M");
            }
        }
    }

    /** @return the exit code of the command line {@code args} */
    static int execute(String... args) {
        CommandLine cli = new CommandLine(new BenchCli());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof BenchException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    public static void main(String[] args) {
        int code = execute(args);
        System.exit(code);
    }
}
