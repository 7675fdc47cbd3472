package io.latencylib.bench;

import io.latencylib.kafka.embedded.EmbeddedKafka;
import io.latencylib.pulsar.embedded.EmbeddedPulsar;
import io.latencylib.rabbitmq.embedded.LocalRabbitMqNode;
import java.io.PrintStream;
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

    Brokers(PrintStream out) {
        
        this.out = out;
    }

    /** @return the addresses of the embedded broker of {@code system}, started now if it is not running */
    DriverFile.Embedded forSystem(String system) {
        switch (system) {
            case "kafka" -> {
                if (kafka == null) {
                    out.println("starting the embedded Kafka (KRaft, in this JVM)...");
                    EmbeddedKafka.Builder builder = EmbeddedKafka.builder();
                    // experiments only: -Dlatency-bench.kafka.KEY=VALUE sets a broker property, printed here
                    System.getProperties().stringPropertyNames().stream().sorted()
                            .filter(k -> k.startsWith(BROKER_PROPERTY)).forEach(k -> {
                                String key = k.substring(BROKER_PROPERTY.length());
                                out.println("override (embedded broker, -D" + k + "): broker property " + key + "="
                                        + System.getProperty(k));
                                builder.brokerProperty(key, System.getProperty(k));
                            });
                    kafka = builder.start();
                }
                return new DriverFile.Embedded(kafka.bootstrapServers(), null, null, null);
            }
            case "pulsar" -> {
                if (pulsar == null) {
                    out.println("starting the embedded Pulsar standalone (a child JVM; its broker jars are resolved"
                            + " into the local Maven repository on the first start)...");
                    pulsar = EmbeddedPulsar.builder().start();
                }
                return new DriverFile.Embedded(null, pulsar.serviceUrl(), pulsar.httpUrl(), null);
            }
            default -> {
                if (rabbit == null) {
                    out.println("starting the embedded RabbitMQ node (rabbitmq-server as a child process)...");
                    rabbit = LocalRabbitMqNode.builder().start();
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
