package io.latencylib.rabbitmq.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import io.latencylib.embedded.internal.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs real RabbitMQ nodes (no mocks). Without rabbitmq-server installed these tests fail, with
 * the message saying how to get a broker; they are never skipped.
 */
class LocalRabbitMqNodeTest {

    @Test
    void startsARealNodeAndLeavesNothingBehindOnClose() throws Exception {
        Set<Long> epmdBefore = epmdPids();
        Set<Long> childrenBefore = descendantPids();

        LocalRabbitMqNode node = LocalRabbitMqNode.builder().start();
        List<ProcessHandle> started;
        long brokerPid;
        int port = node.amqpPort();
        Path directory = node.directory();
        try {
            started = ProcessHandle.current().descendants()
                    .filter(p -> !childrenBefore.contains(p.pid())).collect(Collectors.toList());
            brokerPid = node.pid();
            assertThat(started).extracting(ProcessHandle::pid).contains(brokerPid);
            assertThat(node.amqpUri()).isEqualTo("amqp://guest:guest@127.0.0.1:" + port);
            assertThat(node.nodeName()).matches("latency-[0-9a-f]+@localhost");
            assertThat(directory).isDirectory().startsWith(Path.of(System.getProperty("java.io.tmpdir")));
            assertThat(portIsFree(port)).isFalse();
            // The node's private epmd is a child of this JVM; no shared daemon was started.
            List<Long> runningEpmds = newEpmdsOfOurs(epmdBefore);
            assertThat(runningEpmds).hasSize(1);
            assertThat(descendantPids()).containsAll(runningEpmds);

            try (Connection connection = node.connectionFactory().newConnection("LocalRabbitMqNodeTest")) {
                Channel channel = connection.createChannel();
                String queue = channel.queueDeclare("local-node-test", true, false, false, null).getQueue();
                channel.confirmSelect();
                channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
                        "hello".getBytes(StandardCharsets.UTF_8));
                channel.waitForConfirmsOrDie(10_000);
                GetResponse response = channel.basicGet(queue, true);
                assertThat(response).isNotNull();
                assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");
                assertThat(channel.basicGet(queue, true)).isNull();
            }
        } finally {
            node.close();
        }

        assertThat(ProcessHandle.of(brokerPid).filter(ChildProcess::isRunning)).isEmpty();
        assertThat(started).noneMatch(ChildProcess::isRunning);
        assertThat(directory).doesNotExist();
        assertThat(portIsFree(port)).isTrue();
        assertThat(newEpmdsOfOurs(epmdBefore)).isEmpty();
        node.close(); // idempotent
    }

    @Test
    void runsTwoIsolatedNodesAtOnceWithBuilderOptions(@TempDir Path parent) throws Exception {
        Set<Long> epmdBefore = epmdPids();
        try (LocalRabbitMqNode first = LocalRabbitMqNode.builder()
                        .parentDirectory(parent)
                        .startupTimeout(Duration.ofSeconds(90))
                        .config("channel_max", "7")
                        .start();
                LocalRabbitMqNode second = LocalRabbitMqNode.builder().parentDirectory(parent).start()) {
            assertThat(first.amqpPort()).isNotEqualTo(second.amqpPort());
            assertThat(first.nodeName()).isNotEqualTo(second.nodeName());
            assertThat(first.directory().getParent()).isEqualTo(parent);
            assertThat(second.directory().getParent()).isEqualTo(parent);

            try (Connection a = first.connectionFactory().newConnection();
                    Connection b = second.connectionFactory().newConnection()) {
                assertThat(a.getChannelMax()).isEqualTo(7); // the config line reached rabbitmq.conf
                assertThat(b.getChannelMax()).isNotEqualTo(7);

                a.createChannel().queueDeclare("only-on-first", false, false, false, null);
                Channel onSecond = b.createChannel();
                assertThatThrownBy(() -> onSecond.queueDeclarePassive("only-on-first"))
                        .isInstanceOf(IOException.class)
                        .hasStackTraceContaining("NOT_FOUND");
            }
        }
        try (Stream<Path> left = Files.list(parent)) {
            assertThat(left).isEmpty();
        }
        assertThat(newEpmdsOfOurs(epmdBefore)).isEmpty();
    }

    @Test
    void failedStartSaysWhyWithTheLogTailAndCleansUp(@TempDir Path parent) throws Exception {
        Set<Long> epmdBefore = epmdPids();
        Set<Long> childrenBefore = descendantPids();

        assertThatThrownBy(() -> LocalRabbitMqNode.builder()
                        .parentDirectory(parent)
                        .config("no_such_setting_for_latency_lib", "1")
                        .start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("no_such_setting_for_latency_lib") // from the node's own output
                .hasMessageContaining("apt-get install -y rabbitmq-server")
                .hasMessageContaining("latency.rabbitmq.uri")
                .hasMessageContaining("LATENCY_RABBITMQ_URI")
                .hasMessageContaining("Testcontainers");

        try (Stream<Path> left = Files.list(parent)) {
            assertThat(left).isEmpty();
        }
        assertThat(ProcessHandle.current().descendants()
                .filter(p -> !childrenBefore.contains(p.pid())).filter(ChildProcess::isRunning)).isEmpty();
        assertThat(newEpmdsOfOurs(epmdBefore)).isEmpty();
    }

    @Test
    void missingServerScriptFailsWithHowToGetABroker(@TempDir Path parent) {
        assertThatThrownBy(() -> LocalRabbitMqNode.builder()
                        .parentDirectory(parent)
                        .serverScript(parent.resolve("no-such-rabbitmq-server"))
                        .start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such-rabbitmq-server")
                .hasMessageContaining("apt-get install -y rabbitmq-server")
                .hasMessageContaining("latency.rabbitmq.uri")
                .hasMessageContaining("Testcontainers");
    }

    @Test
    void rejectsConfigLinesThatAreNotOneKeyAndOneValue() {
        assertThatThrownBy(() -> LocalRabbitMqNode.builder().config("a = b", "c"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalRabbitMqNode.builder().config("key", "one\ntwo = three"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalRabbitMqNode.builder().startupTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stopAndStartKeepThePortAndADurableQueueWithAPersistentMessage(@TempDir Path parent) throws Exception {
        Set<Long> epmdBefore = epmdPids();
        LocalRabbitMqNode node = LocalRabbitMqNode.builder().parentDirectory(parent).start();
        int port = node.amqpPort();
        String name = node.nodeName();
        Path directory = node.directory();
        ConnectionFactory factory = node.connectionFactory();
        factory.setAutomaticRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(200);
        try (Connection connection = factory.newConnection("restart-test")) {
            Channel channel = connection.createChannel();
            channel.queueDeclare("survives-restart", true, false, false, null);
            channel.confirmSelect();
            channel.basicPublish("", "survives-restart", MessageProperties.PERSISTENT_TEXT_PLAIN,
                    "persistent".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(10_000);
            long brokerPid = node.pid();
            CountDownLatch recovered = new CountDownLatch(1);
            ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recoverable) {
                    recovered.countDown();
                }

                @Override
                public void handleRecoveryStarted(Recoverable recoverable) {
                }
            });

            long stopStarted = System.nanoTime();
            node.stop();
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStarted);
            assertThat(node.isRunning()).isFalse();
            assertThat(ProcessHandle.of(brokerPid).filter(ChildProcess::isRunning)).isEmpty();
            assertThat(acceptsConnections(port)).as("the stopped node's port refuses connections").isFalse();
            assertThat(newEpmdsOfOurs(epmdBefore)).as("epmd stopped with the node").isEmpty();
            assertThat(directory).isDirectory();
            assertThatThrownBy(node::pid).isInstanceOf(IllegalStateException.class).hasMessageContaining("stopped");

            long startStarted = System.nanoTime();
            node.start();
            long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startStarted);
            System.out.printf("RabbitMQ stop %d ms, start again %d ms%n", stopMillis, startMillis);
            assertThat(node.isRunning()).isTrue();
            assertThat(node.amqpPort()).isEqualTo(port);
            assertThat(node.nodeName()).isEqualTo(name);
            assertThat(node.pid()).isNotEqualTo(brokerPid);

            // the connection that was open across the restart recovers by itself
            assertThat(recovered.await(60, TimeUnit.SECONDS)).as("client connection recovered").isTrue();
            Channel again = connection.createChannel();
            GetResponse response = again.basicGet("survives-restart", true);
            assertThat(response).as("the persistent message survived the restart").isNotNull();
            assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("persistent");
        }
        node.close();
        assertThat(directory).doesNotExist();
        assertThat(newEpmdsOfOurs(epmdBefore)).isEmpty();
        assertThatThrownBy(node::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void aNodeWhoseJvmIsKilledStopsAndItsDirectoryIsSweptByTheNextStart(@TempDir Path tmp) throws Exception {
        Path parent = Files.createDirectories(tmp.resolve("nodes"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ChildProcess owner = ChildProcess.start("node owner JVM", List.of(java, "-cp",
                System.getProperty("java.class.path"), NodeOwnerMain.class.getName(), parent.toString()),
                null, null, tmp.resolve("owner.log"));
        Map<String, String> values;
        try {
            values = owner.awaitValues(Set.of("DIRECTORY", "AMQP_PORT", "BROKER_PID"),
                    System.nanoTime() + TimeUnit.SECONDS.toNanos(90));
        } catch (RuntimeException e) {
            owner.process().destroyForcibly();
            throw e;
        }
        Path directory = Path.of(values.get("DIRECTORY"));
        int port = Integer.parseInt(values.get("AMQP_PORT"));
        List<ProcessHandle> nodeProcesses = owner.process().descendants().collect(Collectors.toList());
        assertThat(nodeProcesses).extracting(ProcessHandle::pid).contains(Long.parseLong(values.get("BROKER_PID")));
        assertThat(nodeProcesses).anyMatch(p -> p.info().command().map(c -> c.endsWith("epmd")).orElse(false));
        assertThat(acceptsConnections(port)).isTrue();

        owner.process().destroyForcibly(); // SIGKILL: no shutdown hook, no close()
        assertThat(owner.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        long killed = System.nanoTime();
        assertThat(ChildProcess.awaitExit(nodeProcesses, Duration.ofSeconds(30)))
                .as("the node's processes stop when their JVM dies; alive: %s", nodeProcesses.stream()
                        .filter(ChildProcess::isRunning).map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                        .collect(Collectors.toList()))
                .isTrue();
        System.out.printf("RabbitMQ node and epmd (%d processes) gone %d ms after their JVM's SIGKILL%n",
                nodeProcesses.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
        assertThat(acceptsConnections(port)).isFalse();

        try (LocalRabbitMqNode next = LocalRabbitMqNode.builder().parentDirectory(parent).start()) {
            assertThat(directory).as("the dead owner's directory is swept by the next start").doesNotExist();
            try (Stream<Path> left = Files.list(parent)) {
                assertThat(left).containsExactly(next.directory());
            }
        }
        try (Stream<Path> left = Files.list(parent)) {
            assertThat(left).isEmpty();
        }
    }

    private static boolean acceptsConnections(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Set<Long> epmdPids() {
        return epmds().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /**
     * epmd processes that were not there before and that this JVM may have caused: our own
     * children, or daemons (re-parented to init), which is what an Erlang node starts by default.
     * Other programs' child epmds (say, another build on this machine using LocalRabbitMqNode)
     * are not ours.
     */
    private static List<Long> newEpmdsOfOurs(Set<Long> before) {
        Set<Long> ours = descendantPids();
        return epmds()
                .filter(p -> !before.contains(p.pid()))
                .filter(p -> ours.contains(p.pid())
                        || p.parent().map(parent -> parent.pid() == 1).orElse(true))
                .map(ProcessHandle::pid)
                .collect(Collectors.toList());
    }

    private static Stream<ProcessHandle> epmds() {
        return ProcessHandle.allProcesses().filter(ChildProcess::isRunning)
                .filter(p -> p.info().command().map(c -> c.equals("epmd") || c.endsWith("/epmd")).orElse(false));
    }

    private static Set<Long> descendantPids() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
