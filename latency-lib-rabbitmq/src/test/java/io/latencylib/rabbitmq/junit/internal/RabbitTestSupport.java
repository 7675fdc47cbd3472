package io.latencylib.rabbitmq.junit.internal;

import com.rabbitmq.client.ConnectionFactory;
import io.latencylib.junit.spi.LatencySystemProvider;
import io.latencylib.junit.spi.ProvisionedBroker;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real RabbitMQ broker for the module's test run, provisioned by {@link RabbitSystemProvider}
 * itself: the one at {@code latency.rabbitmq.uri} / {@code LATENCY_RABBITMQ_URI} when given, otherwise
 * the embedded node (Debian's rabbitmq-server as a child process). Without either the tests fail with
 * a message saying how to get one: they never pass without a broker.
 */
public final class RabbitTestSupport implements BeforeAllCallback {

    private static volatile ProvisionedBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent("rabbitmq", k -> {
            RabbitSystemProvider provider = new RabbitSystemProvider();
            String uri = System.getProperty("latency.rabbitmq.uri", System.getenv("LATENCY_RABBITMQ_URI"));
            try {
                broker = uri != null && !uri.isBlank() ? provider.connect(uri, key -> Optional.empty())
                        : provider.startEmbedded(key -> Optional.empty());
            } catch (LatencySystemProvider.Unavailable e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return (ExtensionContext.Store.CloseableResource) broker::close;
        });
    }

    /** @return the run's broker */
    public static ProvisionedBroker broker() {
        return broker;
    }

    /** @return its AMQP URI with credentials */
    public static String uri() {
        return ((RabbitSystemProvider.Broker) broker).uri();
    }

    /** @return a new connection factory for it */
    public static ConnectionFactory factory() {
        return ((RabbitSystemProvider.Broker) broker).newFactory();
    }
}
