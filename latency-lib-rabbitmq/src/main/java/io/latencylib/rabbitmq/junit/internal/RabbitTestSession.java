package io.latencylib.rabbitmq.junit.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Consumer;
import io.latencylib.junit.spi.SessionContext;
import io.latencylib.junit.spi.SessionSupport;
import io.latencylib.rabbitmq.RabbitLatency;
import io.latencylib.rabbitmq.internal.ChannelHandler;
import io.latencylib.rabbitmq.junit.RabbitSession;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;

/** The {@link RabbitSession} of one test invocation. Internal. */
final class RabbitTestSession extends SessionSupport implements RabbitSession {

    private static final int CLOSE_TIMEOUT_MS = 5_000;

    private final RabbitSystemProvider.Broker broker;
    private final List<String> queues = new CopyOnWriteArrayList<>();
    private final String connectionName;
    private Connection connection;
    private boolean closed;

    RabbitTestSession(RabbitSystemProvider.Broker broker, SessionContext context) {
        super(RabbitSystemProvider.SYSTEM, context);
        this.broker = broker;
        this.connectionName = context().freshName();
        context().onClose(this::close);
    }

    @Override
    public String amqpUri() {
        return broker.uri();
    }

    @Override
    public ConnectionFactory connectionFactory() {
        return broker.newFactory();
    }

    @Override
    public synchronized Connection connection() {
        if (closed) {
            throw new IllegalStateException("this RabbitSession is closed: its test is over");
        }
        if (connection == null) {
            try {
                connection = broker.newFactory().newConnection(connectionName);
            } catch (IOException | TimeoutException e) {
                throw new IllegalStateException("could not connect to RabbitMQ at " + broker.address() + ": "
                        + RabbitSystemProvider.rootMessage(e), e);
            }
        }
        return connection;
    }

    @Override
    public String newQueue() {
        return newQueue(Map.of());
    }

    @Override
    public String newQueue(Map<String, Object> arguments) {
        Objects.requireNonNull(arguments, "arguments");
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("this RabbitSession is closed: its test is over");
            }
        }
        String name = context().freshName();
        queues.add(name); // deleted after the test even if the declaration half-failed
        broker.declareQueue(name, arguments);
        return name;
    }

    @Override
    public Channel channel() {
        try {
            Channel channel = RabbitLatency.wrap(connection().createChannel(), context().recorder());
            channel.confirmSelect();
            return channel;
        } catch (IOException e) {
            throw new IllegalStateException("could not open a channel on " + broker.address() + ": "
                    + RabbitSystemProvider.rootMessage(e), e);
        }
    }

    @Override
    public Channel wrap(Channel channel) {
        return RabbitLatency.wrap(channel, context().recorder());
    }

    @Override
    public Consumer wrap(Consumer consumer, String queue) {
        return ChannelHandler.wrapConsumer(Objects.requireNonNull(consumer, "consumer"),
                Objects.requireNonNull(queue, "queue"), context().recorder());
    }

    /** Closes the connection (and with it every channel on it), then deletes the test's queues. */
    private void close() {
        Connection c;
        synchronized (this) {
            closed = true;
            c = connection;
            connection = null;
        }
        if (c != null) {
            try {
                c.close(CLOSE_TIMEOUT_MS);
            } catch (IOException | RuntimeException e) {
                // closed already: the broker closed it, or the test did
            }
        }
        for (String q : queues) {
            broker.deleteQueue(q);
        }
        queues.clear();
    }

    @Override
    public String toString() {
        return "RabbitSession[" + connectionName + " on " + broker.address() + "]";
    }
}
