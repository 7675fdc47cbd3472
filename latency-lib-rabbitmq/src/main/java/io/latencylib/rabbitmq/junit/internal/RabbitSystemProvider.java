package io.latencylib.rabbitmq.junit.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.latencylib.junit.LatencySession;
import io.latencylib.junit.spi.LatencySystemProvider;
import io.latencylib.junit.spi.ProvisionedBroker;
import io.latencylib.junit.spi.SessionContext;
import io.latencylib.junit.spi.Settings;
import io.latencylib.load.LoadDriver;
import io.latencylib.rabbitmq.RabbitLoadDriver;
import io.latencylib.rabbitmq.junit.RabbitSession;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ for latency-lib-junit, found by service loading: the broker at {@code latency.rabbitmq.uri},
 * a Testcontainers {@code RabbitMQContainer}, or the embedded {@code LocalRabbitMqNode}; each test gets
 * a {@link RabbitSession}. Internal: applications never call it.
 */
public final class RabbitSystemProvider implements LatencySystemProvider {

    /** The system's name: {@code latency.rabbitmq.*} settings. */
    static final String SYSTEM = "rabbitmq";
    /** The address setting, {@code latency.rabbitmq.uri}. */
    static final String ADDRESS_KEY = "uri";
    /** Testcontainers' image when {@code latency.rabbitmq.testcontainers.image} is not set. */
    static final String DEFAULT_IMAGE = "rabbitmq:3.13-management";

    static final Logger LOG = LoggerFactory.getLogger("io.latencylib.rabbitmq");

    private static final String TESTCONTAINERS_CLASS = "org.testcontainers.containers.RabbitMQContainer";
    private static final String DOCKER_CLIENT_CLASS = "org.testcontainers.DockerClientFactory";
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    /** scheme://user:password@ (the password is what is hidden) */
    private static final java.util.regex.Pattern PASSWORD =
            java.util.regex.Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://[^:@/]*):[^@/]*@");

    /** Service loading's constructor; loads no broker class. */
    public RabbitSystemProvider() {
    }

    @Override
    public String system() {
        return SYSTEM;
    }

    @Override
    public Class<? extends LatencySession> sessionType() {
        return RabbitSession.class;
    }

    @Override
    public String addressKey() {
        return ADDRESS_KEY;
    }

    @Override
    public String defaultContainerImage() {
        return DEFAULT_IMAGE;
    }

    /**
     * @throws IllegalArgumentException when {@code address} is not an AMQP URI
     * @throws IllegalStateException    when no connection can be made to it
     */
    @Override
    public ProvisionedBroker connect(String address, Settings settings) {
        String uri = withVirtualHost(address.trim());
        return new Broker(uri, "the broker given by latency.rabbitmq.uri", null);
    }

    @Override
    public ProvisionedBroker startContainer(String image, Settings settings) throws Unavailable {
        if (!onClasspath(TESTCONTAINERS_CLASS) || !onClasspath(DOCKER_CLIENT_CLASS)) {
            throw new Unavailable("org.testcontainers:rabbitmq is not on the test classpath (add it in test scope to"
                    + " run RabbitMQ in a container)");
        }
        Object[] started;
        try {
            started = RabbitContainer.start(image);
        } catch (LinkageError | RuntimeException e) {
            throw new Unavailable("starting the RabbitMQ container " + image + " failed: " + e, e);
        }
        if (started[0] == null) {
            throw new Unavailable((String) started[2]);
        }
        AutoCloseable stop = (AutoCloseable) started[1];
        try {
            return new Broker((String) started[0], "a Testcontainers RabbitMQ container (" + image + ")", stop);
        } catch (RuntimeException e) {
            closeQuietly(stop);
            throw new Unavailable("the RabbitMQ container " + image + " started but " + e.getMessage(), e);
        }
    }

    @Override
    public ProvisionedBroker startEmbedded(Settings settings) throws Unavailable {
        if (!onClasspath(RabbitNode.NODE_CLASS)) {
            throw new Unavailable("there is no embedded RabbitMQ broker on the test classpath: add"
                    + " io.latencylib:latency-lib-rabbitmq-embedded (test scope), which runs the RabbitMQ installed on this"
                    + " machine (rabbitmq-server must be installed: Debian/Ubuntu `apt-get install -y rabbitmq-server`,"
                    + " no service needs to run), or set latency.rabbitmq.uri / LATENCY_RABBITMQ_URI to a running"
                    + " broker");
        }
        Object[] started;
        try {
            started = RabbitNode.start();
        } catch (LinkageError | RuntimeException e) {
            throw new Unavailable("the embedded RabbitMQ node did not start: " + e.getMessage(), e);
        }
        if (started[0] == null) {
            throw new Unavailable((String) started[2]);
        }
        AutoCloseable stop = (AutoCloseable) started[1];
        try {
            return new Broker((String) started[0], "the embedded RabbitMQ node (" + started[2] + ")", stop);
        } catch (RuntimeException e) {
            closeQuietly(stop);
            throw new Unavailable("the embedded RabbitMQ node started but " + e.getMessage(), e);
        }
    }

    /** {@code amqp://h:1} and {@code amqp://h:1?x=y} name the default vhost: spelled out as {@code /%2F}. */
    static String withVirtualHost(String uri) {
        URI parsed = parse(uri);
        if (parsed.getRawPath() != null && !parsed.getRawPath().isEmpty()) {
            return uri;
        }
        int query = uri.indexOf('?');
        return query < 0 ? uri + "/%2F" : uri.substring(0, query) + "/%2F" + uri.substring(query);
    }

    /** @return {@code uri} with its password replaced by {@code ***}, for reports and messages */
    static String masked(String uri) {
        return PASSWORD.matcher(uri).replaceFirst("$1:***@");
    }

    private static URI parse(String uri) {
        try {
            URI parsed = new URI(uri);
            if (!"amqp".equalsIgnoreCase(parsed.getScheme()) && !"amqps".equalsIgnoreCase(parsed.getScheme())
                    || parsed.getHost() == null) {
                throw new URISyntaxException(uri, "not amqp://host or amqps://host");
            }
            return parsed;
        } catch (URISyntaxException e) {
            throw badUri(uri, e.getReason());
        }
    }

    private static IllegalArgumentException badUri(String uri, String why) {
        return new IllegalArgumentException("latency.rabbitmq.uri (or LATENCY_RABBITMQ_URI) is not an AMQP URI: '"
                + masked(uri) + "' (" + why + "); write amqp://user:password@host:port/vhost, e.g."
                + " amqp://guest:guest@127.0.0.1:5672/%2F for the default vhost, or unset it to use the embedded broker");
    }

    static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, RabbitSystemProvider.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            LOG.warn("latency-lib: stopping the RabbitMQ broker failed", e);
        }
    }

    /**
     * The run's RabbitMQ broker: its URI, a connection for declaring and deleting the tests' queues,
     * and what stops it (nothing for the user's broker). Opens each test's {@link RabbitTestSession}.
     */
    static final class Broker implements ProvisionedBroker {
        private final String uri;
        private final String address;
        private final String description;
        private final AutoCloseable stop;
        private final ConnectionFactory factory;
        private final Connection admin;

        /**
         * Connects to {@code uri} at once, so a wrong address fails here and says so.
         *
         * @param stop what stops the broker on {@link #close()}, or null when the user runs it
         */
        Broker(String uri, String description, AutoCloseable stop) {
            this.uri = uri;
            this.address = masked(uri);
            this.description = description;
            this.stop = stop;
            this.factory = factoryFor(uri);
            try {
                this.admin = factory.newConnection("latency-lib-admin");
            } catch (IOException | TimeoutException | RuntimeException e) {
                throw new IllegalStateException("could not connect to RabbitMQ at " + address + " (" + description
                        + "): " + rootMessage(e) + ". Is the broker running there, and may this user open the"
                        + " vhost? Set latency.rabbitmq.uri / LATENCY_RABBITMQ_URI to a broker that answers, or unset"
                        + " it to use the embedded broker", e);
            }
            LOG.info("latency-lib: RabbitMQ for this test run: {} at {}", description, address);
        }

        /** @return the URI with its credentials, for the sessions' {@code amqpUri()} */
        String uri() {
            return uri;
        }

        /** @return a new factory for this broker */
        ConnectionFactory newFactory() {
            return factory.clone();
        }

        @Override
        public String address() {
            return address;
        }

        @Override
        public LoadDriver newLoadDriver() {
            return RabbitLoadDriver.builder(newFactory()).build();
        }

        @Override
        public LatencySession openSession(SessionContext context) {
            return new RabbitTestSession(this, context);
        }

        /** Declares the durable queue {@code name} with {@code arguments}. */
        void declareQueue(String name, Map<String, Object> arguments) {
            try (Channel ch = admin.createChannel()) {
                ch.queueDeclare(name, true, false, false, arguments);
            } catch (IOException | TimeoutException e) {
                throw new IllegalStateException("could not declare queue '" + name + "' with arguments " + arguments
                        + " on " + address + ": " + rootMessage(e), e);
            }
        }

        /** Deletes the queue {@code name}; a failure is logged. */
        void deleteQueue(String name) {
            try (Channel ch = admin.createChannel()) {
                ch.queueDelete(name);
            } catch (IOException | TimeoutException | RuntimeException e) {
                LOG.warn("latency-lib: deleting the test queue '{}' on {} failed: {}", name, address, rootMessage(e));
            }
        }

        @Override
        public void close() {
            try {
                admin.close(CONNECT_TIMEOUT_MS);
            } catch (IOException | RuntimeException e) {
                // closed already (the broker went away)
            }
            if (stop != null) {
                closeQuietly(stop);
            }
        }

        @Override
        public String toString() {
            return "RabbitMQ " + description + " at " + address;
        }

        private static ConnectionFactory factoryFor(String uri) {
            ConnectionFactory f = new ConnectionFactory();
            try {
                f.setUri(uri);
            } catch (URISyntaxException | java.security.GeneralSecurityException | IllegalArgumentException e) {
                throw badUri(uri, rootMessage(e));
            }
            f.setConnectionTimeout(CONNECT_TIMEOUT_MS);
            return f;
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
