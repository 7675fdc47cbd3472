package io.latencylib.rabbitmq.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.latencylib.junit.spi.LatencySystemProvider;
import io.latencylib.junit.spi.ProvisionedBroker;
import io.latencylib.junit.spi.Settings;
import io.latencylib.rabbitmq.junit.RabbitSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.DockerClientFactory;

/** The provisioning paths of {@link RabbitSystemProvider}, on a real RabbitMQ. */
@ExtendWith(RabbitTestSupport.class)
class RabbitSystemProviderTest {

    private static final Settings NONE = key -> Optional.empty();

    @Test
    void isFoundByServiceLoadingAndNamesItsSystemSessionAndAddressKey() {
        List<LatencySystemProvider> found = ServiceLoader.load(LatencySystemProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.system().equals("rabbitmq")).toList();
        assertThat(found).singleElement().isInstanceOf(RabbitSystemProvider.class);
        LatencySystemProvider provider = found.get(0);
        assertThat(provider.sessionType()).isEqualTo(RabbitSession.class);
        assertThat(provider.addressKey()).isEqualTo("uri");
        assertThat(provider.defaultContainerImage()).startsWith("rabbitmq:");
    }

    @Test
    void theUsersUriWithoutAVhostWorksAndClosingItsBrokerLeavesTheBrokerRunning() throws Exception {
        String uri = RabbitTestSupport.uri();
        String bare = uri.substring(0, uri.lastIndexOf('/'));  // amqp://user:pass@host:port, no vhost
        ProvisionedBroker given = new RabbitSystemProvider().connect(bare, NONE);
        try (TestSessionContext context = new TestSessionContext(given, "given")) {
            RabbitSession rabbit = (RabbitSession) given.openSession(context);
            assertThat(rabbit.amqpUri()).isEqualTo(bare + "/%2F");
            rabbit.newQueue();
        } finally {
            given.close();
        }
        try (Connection c = RabbitTestSupport.factory().newConnection()) {
            assertThat(c.isOpen()).as("a broker the user gave is never stopped").isTrue();
        }
    }

    @Test
    void aUriThatIsNotAmqpIsRejectedNamingTheSettingAndTheFormWithoutThePassword() {
        for (String bad : List.of("http://guest:s3cret@127.0.0.1:5672", "127.0.0.1:5672", "amqp://guest:s3cret@/x")) {
            assertThatThrownBy(() -> new RabbitSystemProvider().connect(bad, NONE)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("latency.rabbitmq.uri").hasMessageContaining("amqp://user:password@host:port/vhost")
                    .hasMessageNotContaining("s3cret");
        }
    }

    @Test
    void aBrokerThatDoesNotAnswerOrRefusesTheUserFailsAtOnceSayingWhereWithoutThePassword() throws Exception {
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        Throwable refused = catchThrowable(() -> new RabbitSystemProvider()
                .connect("amqp://guest:s3cret@127.0.0.1:" + freePort + "/%2F", NONE));
        assertThat(refused).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("could not connect to RabbitMQ at amqp://guest:***@127.0.0.1:" + freePort)
                .hasMessageContaining("Connection refused").hasMessageContaining("latency.rabbitmq.uri")
                .hasMessageNotContaining("s3cret");

        URI good = URI.create(RabbitTestSupport.uri());
        String user = good.getUserInfo().split(":", 2)[0];
        String wrongPassword = RabbitTestSupport.uri().replace(good.getRawUserInfo(), user + ":not-the-password");
        assertThatThrownBy(() -> new RabbitSystemProvider().connect(wrongPassword, NONE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("could not connect")
                .hasMessageContaining("ACCESS_REFUSED").hasMessageNotContaining("not-the-password");
    }

    @Test
    void theEmbeddedNodeStartsAndItsBrokerStopsItOnClose() throws Exception {
        ProvisionedBroker broker = new RabbitSystemProvider().startEmbedded(NONE);
        String uri;
        try (TestSessionContext context = new TestSessionContext(broker, "embedded")) {
            RabbitSession rabbit = (RabbitSession) broker.openSession(context);
            uri = rabbit.amqpUri();
            assertThat(uri).matches("amqp://guest:guest@127\\.0\\.0\\.1:\\d+/%2F");
            assertThat(broker.address()).isEqualTo(uri.replace("guest:guest@", "guest:***@"));
            rabbit.newQueue();
            assertThat(rabbit.connection().isOpen()).isTrue();
        } finally {
            broker.close();
        }
        ConnectionFactory after = new ConnectionFactory();
        after.setUri(uri);
        assertThatThrownBy(after::newConnection).as("the node is stopped").isInstanceOf(IOException.class);
    }

    @Test
    void testcontainersWithoutDockerIsUnavailableWithTheReason() throws Exception {
        LatencySystemProvider provider = new RabbitSystemProvider();
        if (DockerClientFactory.instance().isDockerAvailable()) {
            ProvisionedBroker container = provider.startContainer(provider.defaultContainerImage(), NONE);
            try (TestSessionContext context = new TestSessionContext(container, "container")) {
                ((RabbitSession) container.openSession(context)).newQueue();
            } finally {
                container.close();
            }
            return;
        }
        assertThatThrownBy(() -> provider.startContainer(provider.defaultContainerImage(), NONE))
                .isInstanceOf(LatencySystemProvider.Unavailable.class).hasMessageContaining("Docker is not available");
    }

    @Test
    void withoutTestcontainersOrTheEmbeddedNodeOnTheClasspathItSaysWhichDependencyToAdd() throws Exception {
        LatencySystemProvider noTestcontainers = isolated("org.testcontainers.");
        assertThat(noTestcontainers.system()).isEqualTo("rabbitmq");
        assertThatThrownBy(() -> noTestcontainers.startContainer("rabbitmq:3.13", NONE))
                .isInstanceOf(LatencySystemProvider.Unavailable.class)
                .hasMessageContaining("org.testcontainers:rabbitmq is not on the test classpath");

        LatencySystemProvider noNode = isolated(RabbitNode.NODE_CLASS);
        assertThatThrownBy(() -> noNode.startEmbedded(NONE))
                .isInstanceOf(LatencySystemProvider.Unavailable.class)
                .hasMessageContaining("io.latencylib:latency-lib-rabbitmq-embedded")
                .hasMessageContaining("rabbitmq-server must be installed")
                .hasMessageContaining("latency.rabbitmq.uri");
    }

    /** The provider, loaded again by a class loader on which the classes named by {@code hidden} do not exist. */
    private static LatencySystemProvider isolated(String hidden) throws Exception {
        ClassLoader loader = new ClassLoader(RabbitSystemProviderTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                synchronized (getClassLoadingLock(name)) {
                    if (name.startsWith(hidden)) {
                        throw new ClassNotFoundException(name + " (hidden by the test)");
                    }
                    String own = RabbitSystemProvider.class.getPackageName() + ".";
                    boolean providerClass = name.startsWith(own) && List.of("RabbitSystemProvider", "RabbitContainer",
                            "RabbitNode", "RabbitTestSession").contains(name.substring(own.length()).split("\\$")[0]);
                    if (!providerClass) {
                        return super.loadClass(name, resolve);
                    }
                    Class<?> c = findLoadedClass(name);
                    if (c == null) {
                        try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                            byte[] bytes = in.readAllBytes();
                            c = defineClass(name, bytes, 0, bytes.length);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    return c;
                }
            }
        };
        Class<?> providerClass = loader.loadClass(RabbitSystemProvider.class.getName());
        assertThat(providerClass).isNotSameAs(RabbitSystemProvider.class);
        return (LatencySystemProvider) providerClass.getConstructor().newInstance();
    }
}
