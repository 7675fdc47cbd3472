package io.latencylib.rabbitmq;

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
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
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

        LocalRabbitMqNode node = LocalRabbitMqNode.start();
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

        assertThat(ProcessHandle.of(brokerPid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(started).noneMatch(ProcessHandle::isAlive);
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
                .filter(p -> !childrenBefore.contains(p.pid())).filter(ProcessHandle::isAlive)).isEmpty();
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
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
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
