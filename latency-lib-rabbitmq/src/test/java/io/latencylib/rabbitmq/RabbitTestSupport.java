package io.latencylib.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real RabbitMQ broker for the run: the one at {@code latency.rabbitmq.uri} /
 * {@code LATENCY_RABBITMQ_URI} when given, otherwise a {@link LocalRabbitMqNode} (Debian's
 * rabbitmq-server as a child process). Without either the tests fail with a message saying how to
 * get one: they never pass without a broker.
 */
public final class RabbitTestSupport implements BeforeAllCallback {

    private static volatile ConnectionFactory factory;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent("rabbitmq", k -> {
            String uri = System.getProperty("latency.rabbitmq.uri", System.getenv("LATENCY_RABBITMQ_URI"));
            if (uri != null && !uri.isBlank()) {
                ConnectionFactory f = new ConnectionFactory();
                try {
                    f.setUri(uri);
                } catch (Exception e) {
                    throw new IllegalStateException("bad latency.rabbitmq.uri '" + uri + "': " + e.getMessage(), e);
                }
                factory = f;
                return (ExtensionContext.Store.CloseableResource) () -> { };
            }
            LocalRabbitMqNode node = LocalRabbitMqNode.start();
            factory = node.connectionFactory();
            return (ExtensionContext.Store.CloseableResource) node::close;
        });
    }

    static ConnectionFactory factory() {
        return factory;
    }
}
