package io.latencylib.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OMB's own files (examples/, copied unchanged from the OMB repository) read as OMB means them; bad input named. */
class OmbFilesTest {

    private static final Path EXAMPLES = Path.of("examples");

    @TempDir
    Path tmp;

    @Test
    void readsOmbWorkloadsUnchanged() throws IOException {
        Workload w = Workload.read(EXAMPLES.resolve("workloads/1-topic-1-partition-1kb.yaml"));
        assertThat(w.name()).isEqualTo("1 topic / 1 partition / 1Kb");
        assertThat(w.partitionsPerTopic()).isEqualTo(1);
        assertThat(w.messageSize()).isEqualTo(1024);
        assertThat(w.payload()).hasSize(1024); // payload/payload-1Kb.data, found above workloads/
        assertThat(w.producerRate()).isEqualTo(50_000);
        assertThat(w.testDuration()).isEqualTo(Duration.ofMinutes(15));
        assertThat(w.warmupDuration()).isEqualTo(Duration.ofMinutes(1)); // OMB's default
        assertThat(w.consumerPerSubscription()).isEqualTo(1);
        assertThat(Workload.read(EXAMPLES.resolve("workloads/1-topic-16-partitions-1kb.yaml")).partitionsPerTopic())
                .isEqualTo(16);
    }

    @Test
    void readsOmbDriversUnchanged() throws IOException {
        assertThat(DriverFile.read(EXAMPLES.resolve("driver-kafka/kafka-latency.yaml")).system()).isEqualTo("kafka");
        assertThat(DriverFile.read(EXAMPLES.resolve("driver-kafka/kafka-throughput.yaml")).system()).isEqualTo("kafka");
        DriverFile pulsar = DriverFile.read(EXAMPLES.resolve("driver-pulsar/pulsar.yaml"));
        assertThat(pulsar.system()).isEqualTo("pulsar");
        assertThat(pulsar.name()).isEqualTo("Pulsar");
        assertThat(DriverFile.read(EXAMPLES.resolve("driver-rabbitmq/rabbitmq.yaml")).system()).isEqualTo("rabbitmq");
    }

    @Test
    void anUnknownKeyIsAnErrorNamingIt() throws IOException {
        Path f = copyWith("workloads/1-topic-1-partition-1kb.yaml", "producerRat: 5\n");
        assertThatThrownBy(() -> Workload.read(f)).isInstanceOf(BenchException.class)
                .hasMessageContaining("unknown key 'producerRat'");
        Path d = copyWith("driver-pulsar/pulsar.yaml", "");
        Files.writeString(d, Files.readString(d).replace("  receiverQueueSize: 10000",
                "  receiverQueueSize: 10000\n  ackTimeoutMs: 5"));
        assertThatThrownBy(() -> DriverFile.read(d)).isInstanceOf(BenchException.class)
                .hasMessageContaining("unknown key 'consumer.ackTimeoutMs'");
    }

    @Test
    void whatCannotBeHonouredIsAnErrorNamingTheKey() throws IOException {
        Path topics = copyWith("workloads/1-topic-1-partition-1kb.yaml", "");
        Files.writeString(topics, Files.readString(topics).replace("topics: 1", "topics: 4"));
        assertThatThrownBy(() -> Workload.read(topics)).hasMessageContaining("'topics: 4' cannot be honoured");
        // an OMB max-rate workload: half-random payloads are not something the runner can make
        assertThatThrownBy(() -> Workload.read(EXAMPLES.resolve(
                "workloads/max-rate-1-topic-1-partition-1p-1c-1kb.yaml")))
                .hasMessageContaining("'randomBytesRatio: 0.5' cannot be honoured");
        Path backlog = copyWith("workloads/1-topic-1-partition-1kb.yaml", "");
        Files.writeString(backlog, Files.readString(backlog).replace("consumerBacklogSizeGB: 0",
                "consumerBacklogSizeGB: 10"));
        assertThatThrownBy(() -> Workload.read(backlog)).hasMessageContaining("consumerBacklogSizeGB: 10.0");
        Path rabbit = copyWith("driver-rabbitmq/rabbitmq.yaml", "");
        DriverFile r = DriverFile.read(rabbit);
        assertThatThrownBy(() -> r.create(16, new DriverFile.Embedded(null, null, null, "amqp://localhost"), false))
                .hasMessageContaining("partitionsPerTopic: 16");
    }

    @Test
    void theCommandLineNamesABadFileAndExitsWith2() throws IOException {
        Path f = copyWith("workloads/1-topic-1-partition-1kb.yaml", "bogus: 1\n");
        int code = BenchCli.execute("-d", EXAMPLES.resolve("driver-kafka/kafka-latency.yaml").toString(), f.toString());
        assertThat(code).isEqualTo(2);
    }

    private Path copyWith(String example, String extra) throws IOException {
        Path to = tmp.resolve(example);
        Files.createDirectories(to.getParent());
        Files.writeString(to, Files.readString(EXAMPLES.resolve(example)) + extra);
        Files.createDirectories(tmp.resolve("payload"));
        Files.copy(EXAMPLES.resolve("payload/payload-1Kb.data"), tmp.resolve("payload/payload-1Kb.data"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return to;
    }
}
