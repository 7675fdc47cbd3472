package io.latencylib.bench;

import io.latencylib.kafka.embedded.EmbeddedKafka;
import io.latencylib.pulsar.embedded.EmbeddedPulsar;
import io.latencylib.rabbitmq.embedded.LocalRabbitMqNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The embedded brokers of {@code --embedded}: each started on first use, all closed at the end. */
final class Brokers implements AutoCloseable {

    private final PrintStream out;
    /** Prefix of the system properties that set a property of the embedded Kafka broker (experiments). */
    static final String BROKER_PROPERTY = "latency-bench.kafka.";

    private EmbeddedKafka kafka;
    private EmbeddedPulsar pulsar;
    private LocalRabbitMqNode rabbit;

    /** Parent directory of the brokers' data, or null for the system's temporary directory. */
    private final Path dataDirectory;

    /**
     * @param out           where the brokers' start and every override are printed
     * @param dataDirectory parent directory of the brokers' data (each makes and removes its own folder in it), or
     *                      null for the system's temporary directory
     */
    Brokers(PrintStream out, Path dataDirectory) {
        this.out = out;
        this.dataDirectory = dataDirectory;
    }

    /** @return {@code -Dlatency-bench.embedded-dir} as a path, or null: {@code --embedded-dir} for the benchmark programs */
    static Path dataDirectoryProperty() {
        String dir = System.getProperty("latency-bench.embedded-dir");
        return dir == null ? null : Path.of(dir);
    }

    /** @return the addresses of the embedded broker of {@code system}, started now if it is not running */
    DriverFile.Embedded forSystem(String system) {
        switch (system) {
            case "kafka" -> {
                if (kafka == null) {
                    out.println("starting the embedded Kafka (KRaft, in this JVM)...");
                    EmbeddedKafka.Builder builder = EmbeddedKafka.builder();
                    if (dataDirectory != null) {
                        builder.parentDirectory(dataDirectory);
                    }
                    // A max-rate search deletes each probe's topic; Kafka keeps a deleted topic's files 60 s by
                    // default, long enough for their gigabytes to be written back to disk while the next probes
                    // run (MaxRateRepeat run 6 against run 7 in the README). Nothing reads them again: remove at once.
                    builder.brokerProperty("log.segment.delete.delay.ms", "0");
                    out.println("embedded broker: log.segment.delete.delay.ms=0 (a deleted topic's files go at once)");
                    // experiments only: -Dlatency-bench.kafka.KEY=VALUE sets a broker property, printed here
                    System.getProperties().stringPropertyNames().stream().sorted()
                            .filter(k -> k.startsWith(BROKER_PROPERTY)).forEach(k -> {
                                String key = k.substring(BROKER_PROPERTY.length());
                                out.println("override (embedded broker, -D" + k + "): broker property " + key + "="
                                        + System.getProperty(k));
                                builder.brokerProperty(key, System.getProperty(k));
                            });
                    kafka = builder.start();
                    out.println("embedded Kafka data: " + kafka.directory());
                }
                return new DriverFile.Embedded(kafka.bootstrapServers(), null, null, null);
            }
            case "pulsar" -> {
                if (pulsar == null) {
                    out.println("starting the embedded Pulsar standalone (a child JVM; its broker jars are resolved"
                            + " into the local Maven repository on the first start)...");
                    EmbeddedPulsar.Builder builder = EmbeddedPulsar.builder();
                    if (dataDirectory != null) {
                        builder.parentDirectory(dataDirectory);
                    }
                    pulsar = builder.start();
                    out.println("embedded Pulsar data: " + pulsar.directory());
                }
                return new DriverFile.Embedded(null, pulsar.serviceUrl(), pulsar.httpUrl(), null);
            }
            default -> {
                if (rabbit == null) {
                    out.println("starting the embedded RabbitMQ node (rabbitmq-server as a child process)...");
                    LocalRabbitMqNode.Builder builder = LocalRabbitMqNode.builder();
                    if (dataDirectory != null) {
                        builder.parentDirectory(dataDirectory);
                    }
                    rabbit = builder.start();
                    out.println("embedded RabbitMQ data: " + rabbit.directory());
                }
                return new DriverFile.Embedded(null, null, null, rabbit.amqpUri());
            }
        }
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>();
        if (kafka != null) {
            all.add(kafka);
        }
        if (pulsar != null) {
            all.add(pulsar);
        }
        if (rabbit != null) {
            all.add(rabbit);
        }
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                out.println("could not stop an embedded broker: " + e);
            }
        }
    }
}
