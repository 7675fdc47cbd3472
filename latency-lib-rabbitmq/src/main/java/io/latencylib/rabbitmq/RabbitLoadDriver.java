package io.latencylib.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import io.latencylib.LatencyRecorder;
import io.latencylib.load.LoadDriver;
import io.latencylib.spi.PacedSend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

/**
 * Drives a {@link io.latencylib.load.LoadRun} through RabbitMQ the way benchmarks lay it out: a
 * direct exchange named after the destination and one queue per routing key ("partition"), each
 * consumed by one of the consumers; every producer and consumer on a connection of its own.
 *
 * <pre>{@code
 * RabbitLoadDriver driver = RabbitLoadDriver.builder(connectionFactory).queueType(QueueType.QUORUM).build();
 * LoadReport report = LoadRun.builder(driver).destination("orders-load")
 *         .schedule(Schedule.constant(5_000, Duration.ofSeconds(20))).run();
 * }</pre>
 */
public final class RabbitLoadDriver implements LoadDriver {

    /** Queue types. */
    public enum QueueType {
        CLASSIC, QUORUM
    }

    private final ConnectionFactory factory;
    private final QueueType queueType;
    private final boolean persistent;
    private final boolean confirms;
    private final int queues;
    private final int prefetch;
    private final List<Connection> connections = new ArrayList<>();
    private final List<Channel> publishers = new ArrayList<>();
    private String exchange;
    private int queueCount;

    private RabbitLoadDriver(Builder b) {
        this.factory = b.factory;
        this.queueType = b.queueType;
        this.persistent = b.persistent;
        this.confirms = b.confirms;
        this.queues = b.queues;
        this.prefetch = b.prefetch;
    }

    public static Builder builder(ConnectionFactory factory) {
        return new Builder(factory);
    }

    @Override
    public String system() {
        return "rabbitmq";
    }

    @Override
    public void open(String destination, int producers, int consumers, LatencyRecorder recorder) {
        exchange = Objects.requireNonNull(destination, "destination");
        queueCount = queues > 0 ? queues : Math.max(1, consumers);
        try {
            Connection admin = connect("latency-load-admin");
            try (Channel ch = admin.createChannel()) {
                ch.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, queueType == QueueType.QUORUM);
                for (int q = 0; q < queueCount; q++) {
                    String queue = queueName(q);
                    ch.queueDeclare(queue, queueType == QueueType.QUORUM, false, false,
                            queueType == QueueType.QUORUM ? Map.of("x-queue-type", "quorum") : Map.of());
                    ch.queueBind(queue, exchange, Integer.toString(q));
                    ch.queuePurge(queue);
                }
            }
            for (int p = 0; p < producers; p++) {
                Channel ch = RabbitLatency.wrap(connect("latency-load-producer-" + p).createChannel(), recorder);
                if (confirms) {
                    ch.confirmSelect();
                }
                publishers.add(ch);
            }
            for (int c = 0; c < consumers; c++) {
                Channel ch = RabbitLatency.wrap(connect("latency-load-consumer-" + c).createChannel(), recorder);
                ch.basicQos(prefetch);
                for (int q = c; q < queueCount; q += consumers) {
                    ch.basicConsume(queueName(q), false, (tag, delivery) ->
                            ch.basicAck(delivery.getEnvelope().getDeliveryTag(), false), tag -> { });
                }
            }
        } catch (IOException | TimeoutException e) {
            close();
            throw new IllegalStateException("could not prepare RabbitMQ for the load run on exchange '" + exchange
                    + "': " + e, e);
        }
    }

    private Connection connect(String name) throws IOException, TimeoutException {
        Connection c = factory.newConnection(name);
        connections.add(c);
        return c;
    }

    private String queueName(int q) {
        return exchange + "-" + q;
    }

    @Override
    public Sender sender(int index) {
        Channel channel = publishers.get(index);
        AMQP.BasicProperties props = persistent ? MessageProperties.PERSISTENT_BASIC : MessageProperties.BASIC;
        String[] routingKeys = new String[queueCount];
        for (int q = 0; q < queueCount; q++) {
            routingKeys[q] = Integer.toString(q);
        }
        long[] next = {0};
        return (key, payload, intendedMicros) -> {
            int q = key == null ? (int) (next[0]++ % queueCount) : Math.floorMod(java.util.Arrays.hashCode(key), queueCount);
            PacedSend.intend(intendedMicros);
            try {
                channel.basicPublish(exchange, routingKeys[q], props, payload);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Override
    public void flush() {
        if (!confirms) {
            return;
        }
        for (Channel ch : publishers) {
            try {
                ch.waitForConfirms(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (TimeoutException e) {
                throw new IllegalStateException("publisher confirms did not arrive within 30 s", e);
            }
        }
    }

    @Override
    public void close() {
        for (Connection c : connections) {
            try {
                c.close(10_000);
            } catch (IOException | RuntimeException e) {
                // already closed
            }
        }
        connections.clear();
        publishers.clear();
    }

    /** Settings of a {@link RabbitLoadDriver}. */
    public static final class Builder {
        private final ConnectionFactory factory;
        private QueueType queueType = QueueType.CLASSIC;
        private boolean persistent = true;
        private boolean confirms = true;
        private int queues;
        private int prefetch = 500;

        private Builder(ConnectionFactory factory) {
            this.factory = Objects.requireNonNull(factory, "factory");
        }

        /** Classic (default) or quorum queues. */
        public Builder queueType(QueueType type) {
            this.queueType = Objects.requireNonNull(type, "type");
            return this;
        }

        /** Persistent (default) or transient messages. */
        public Builder persistent(boolean persistent) {
            this.persistent = persistent;
            return this;
        }

        /** Publisher confirms on (default: commit is observed) or off. */
        public Builder confirms(boolean confirms) {
            this.confirms = confirms;
            return this;
        }

        /** Queues (routing keys); default one per consumer. */
        public Builder queues(int queues) {
            this.queues = queues;
            return this;
        }

        /** Consumer prefetch ({@code basicQos}); default 500. */
        public Builder prefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        public RabbitLoadDriver build() {
            return new RabbitLoadDriver(this);
        }
    }
}
