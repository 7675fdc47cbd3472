package io.latencylib.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner as a user meets it: OMB's workload and two OMB Kafka driver files, unchanged, with --embedded
 * and duration, warm-up and rate overrides; every result file written, OMB's JSON with exactly the fields of
 * OMB's TestResult (its source, copied into src/test/resources/omb), and a comparison page of the two runs.
 */
class BenchRunKafkaTest {

    @TempDir
    Path out;

    @TempDir
    Path brokerData;

    @Test
    @SuppressWarnings("unchecked")
    void runsOmbFilesOnTheEmbeddedKafkaAndWritesEveryResult() throws IOException {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int code;
        System.setOut(new PrintStream(new TeeOutputStream(stdout, printed), true, StandardCharsets.UTF_8));
        try {
            code = BenchCli.execute("--embedded", "--embedded-dir", brokerData.toString(), "-d",
                    "examples/driver-kafka/kafka-latency.yaml,examples/driver-kafka/kafka-throughput.yaml",
                    "--duration", "6s", "--warmup", "2s", "--rate", "2000", "--interval", "2s", "-o", out.toString(),
                    "examples/workloads/1-topic-1-partition-1kb.yaml");
        } finally {
            System.setOut(stdout);
        }
        assertThat(code).isZero();
        // the broker kept its data where --embedded-dir said, and removed it when the run ended
        Matcher dataLine = Pattern.compile("embedded Kafka data: (\\S+)").matcher(printed.toString(StandardCharsets.UTF_8));
        assertThat(dataLine.find()).as("the runner prints the broker's data directory").isTrue();
        assertThat(Path.of(dataLine.group(1)).getParent()).isEqualTo(brokerData);
        assertThat(Path.of(dataLine.group(1))).doesNotExist();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("log.segment.delete.delay.ms=0");

        List<Path> summaries;
        try (Stream<Path> s = Files.list(out)) {
            summaries = s.filter(p -> p.toString().endsWith(".bench.json")).sorted().toList();
        }
        assertThat(summaries).hasSize(2);
        Set<String> fields = testResultFields();
        assertThat(fields).contains("workload", "publishRate", "aggregatedEndToEndLatency99pct",
                "aggregatedEndToEndLatencyQuantiles").hasSizeGreaterThan(60);
        for (Path summary : summaries) {
            String base = summary.toString().replaceAll("\\.bench\\.json$", "");
            for (String ext : List.of(".json", ".latency.json", ".hlog", ".html")) {
                assertThat(Path.of(base + ext)).isNotEmptyFile();
            }
            Map<String, Object> omb = (Map<String, Object>) YamlFile.parse(Files.readString(Path.of(base + ".json")));
            assertThat(omb.keySet()).as("OMB TestResult fields").containsExactlyInAnyOrderElementsOf(fields);
            assertThat(omb.get("workload")).isEqualTo("1 topic / 1 partition / 1Kb");
            assertThat(omb.get("driver")).isEqualTo("Kafka");
            assertThat((List<Object>) omb.get("publishRate")).hasSizeGreaterThanOrEqualTo(3);
            assertThat(((Number) omb.get("aggregatedEndToEndLatency50pct")).doubleValue()).isPositive();
            assertThat(((Number) omb.get("aggregatedPublishLatency99pct")).doubleValue()).isPositive();

            Map<String, Object> s = (Map<String, Object>) YamlFile.parse(Files.readString(summary));
            Map<String, Object> counts = (Map<String, Object>) s.get("counts");
            assertThat(counts.get("sent")).isEqualTo(12_000); // 2,000 msg/s for 6 s, the warm-up excluded exactly
            assertThat(counts.get("received")).isEqualTo(12_000);
            assertThat(counts.get("lost")).isEqualTo(0);
            assertThat((List<String>) s.get("overrides")).anyMatch(o -> o.startsWith("replicationFactor 3 -> 1"));
            assertThat((String) s.get("stageAtFault")).matches("(produce|publish|commit|catch-up|fetch) .* ms");
        }
        String page = Files.readString(out.resolve("comparison.html"));
        assertThat(page).contains("Peak sustainable throughput", "End-to-end latency at each rate", "<svg",
                "kafka (kafka-latency)", "kafka (kafka-throughput)", "stage at fault");
    }

    /** @return the public fields of OMB's TestResult class, from its source */
    static Set<String> testResultFields() throws IOException {
        String src = Files.readString(Path.of("src/test/resources/omb/TestResult.java.txt"));
        Matcher m = Pattern.compile("(?m)^\\s*public\\s+[\\w<>, ]+\\s+(\\w+)\\s*(=[^;]*)?;").matcher(src);
        Set<String> out = new LinkedHashSet<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Writes to two streams: the test's output still shows what the runner prints. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeOutputStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
