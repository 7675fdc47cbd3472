package io.latencylib.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.latencylib.embedded.LinkDelay;
import io.latencylib.embedded.internal.Ports;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EmbeddedKafkaTest {

    @Test
    void anAddedListenerAdvertisesTheProxyInFrontOfItAndTheDefaultOneStaysAsItWas() throws Exception {
        int port = Ports.freeLoopbackPorts(1)[0];
        try (LinkDelay link = LinkDelay.to(Ports.LOOPBACK, port);
             EmbeddedKafka kafka = EmbeddedKafka.builder().advertisedListener("PROXIED", port, link.address()).start()) {
            assertThat(kafka.listenerAddress("PROXIED")).isEqualTo(Ports.LOOPBACK + ":" + port);
            // a client that came through the proxy is told to connect to the proxy again, so it stays on the path
            assertThat(advertisedNodes(link.address())).containsExactly(link.address());
            // a client of the default listener is told the default address
            assertThat(advertisedNodes(kafka.bootstrapServers())).containsExactly(kafka.bootstrapServers());

            String topic = "proxied-" + UUID.randomUUID();
            kafka.createTopic(topic, 1, Map.of());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
                producer.send(new ProducerRecord<>(topic, "k", "through the proxy")).get(30, TimeUnit.SECONDS);
            }
            assertThat(consumeOne(link.address(), new TopicPartition(topic, 0), Duration.ofSeconds(30)).value())
                    .isEqualTo("through the proxy");
            assertThatThrownBy(() -> kafka.listenerAddress("OTHER")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> EmbeddedKafka.builder().advertisedListener("PLAINTEXT", 0, "127.0.0.1:1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddedKafka.builder().advertisedListener("PROXIED", 0, "no-port"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddedKafka.builder().advertisedListener("PROXIED", 0, "127.0.0.1:1")
                .brokerProperty("listeners", "PLAINTEXT://127.0.0.1:0").start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("advertisedListener");
    }

    private static List<String> advertisedNodes(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
                    .map(n -> n.host() + ":" + n.port()).collect(Collectors.toList());
        }
    }

    @Test
    void producesAndConsumesARecordWithAHeaderAndCleansUpOnClose() throws Exception {
        Set<Thread> threadsBefore = nonDaemonThreads();
        Path dataDirectory;

        EmbeddedKafka kafka = EmbeddedKafka.builder().start();
        try {
            dataDirectory = kafka.directory();
            assertThat(dataDirectory).isDirectory();
            assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");

            String topic = "roundtrip-" + UUID.randomUUID();
            kafka.createTopic(topic, 2, Map.of("retention.ms", "600000"));

            RecordMetadata sent;
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, "key-1", "hello kafka");
                record.headers().add("trace-id", "abc-123".getBytes(StandardCharsets.UTF_8));
                sent = producer.send(record).get(30, TimeUnit.SECONDS);
            }
            assertThat(sent.partition()).isZero();

            ConsumerRecord<String, String> received = consumeOne(kafka.bootstrapServers(),
                    new TopicPartition(topic, sent.partition()), Duration.ofSeconds(30));
            assertThat(received.key()).isEqualTo("key-1");
            assertThat(received.value()).isEqualTo("hello kafka");
            Header header = received.headers().lastHeader("trace-id");
            assertThat(header).isNotNull();
            assertThat(new String(header.value(), StandardCharsets.UTF_8)).isEqualTo("abc-123");
        } finally {
            kafka.close();
        }

        assertThat(dataDirectory).doesNotExist();
        kafka.close(); // idempotent
        assertThatThrownBy(() -> kafka.createTopic("after-close", 1, Map.of()))
                .isInstanceOf(IllegalStateException.class);
        assertThat(leftoverThreads(threadsBefore)).as("non-daemon threads left after close").isEmpty();
    }

    @Test
    void twoBrokersRunAtOnceOnDifferentPorts() throws Exception {
        try (EmbeddedKafka first = EmbeddedKafka.builder().start();
             EmbeddedKafka second = EmbeddedKafka.builder()
                     .brokerProperty("auto.create.topics.enable", "false")
                     .start()) {
            assertThat(first.bootstrapServers()).isNotEqualTo(second.bootstrapServers());
            assertThat(first.directory()).isNotEqualTo(second.directory());

            first.createTopic("shared-name", 1, Map.of());
            second.createTopic("shared-name", 3, Map.of("cleanup.policy", "compact"));

            // Each broker is its own cluster: the topic exists on each with its own partition count.
            assertThat(partitionCount(first, "shared-name")).isEqualTo(1);
            assertThat(partitionCount(second, "shared-name")).isEqualTo(3);
        }
    }

    @Test
    void invalidBrokerPropertyFailsWithAClearMessage() {
        assertThatThrownBy(() -> EmbeddedKafka.builder().brokerProperty("num.partitions", "not-a-number").start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Embedded Kafka failed while building the broker configuration")
                .hasMessageContaining("num.partitions");
    }

    @Test
    void creatingAnExistingTopicFails() {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            kafka.createTopic("twice", 1, Map.of());
            assertThatThrownBy(() -> kafka.createTopic("twice", 1, Map.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("twice")
                    .hasMessageContaining("already exists");
        }
    }

    @Test
    void mainServesABrokerToAParentProcessUntilStdinCloses(@TempDir Path tmp) throws Exception {
        Path stderr = tmp.resolve("child-stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                EmbeddedKafka.class.getName(), "auto.create.topics.enable=false")
                .redirectError(stderr.toFile())
                .start();
        try {
            BufferedReader stdout = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = stdout.readLine();
            assertThat(line).as("first stdout line; child stderr: %s", readQuietly(stderr))
                    .startsWith("BOOTSTRAP_SERVERS=");
            String bootstrapServers = line.substring("BOOTSTRAP_SERVERS=".length());

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
            }

            child.getOutputStream().close(); // EOF on the child's stdin: it shuts down
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child exited after stdin EOF").isTrue();
            assertThat(child.exitValue()).as("exit code; child stderr: %s", readQuietly(stderr)).isZero();
            assertThat(stdout.readLine()).as("nothing else on stdout").isNull();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aBrokerWhoseJvmIsTerminatedWithoutCloseStillDeletesItsData(@TempDir Path tmp) throws Exception {
        Path dataParent = Files.createDirectories(tmp.resolve("data"));
        Path stderr = tmp.resolve("child-stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Djava.io.tmpdir=" + dataParent, "-cp",
                System.getProperty("java.class.path"), EmbeddedKafka.class.getName())
                .redirectError(stderr.toFile())
                .start();
        try {
            BufferedReader stdout = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertThat(stdout.readLine()).as("first stdout line; child stderr: %s", readQuietly(stderr))
                    .startsWith("BOOTSTRAP_SERVERS=");
            try (var dirs = Files.list(dataParent)) {
                assertThat(dirs.map(d -> d.getFileName().toString()).collect(Collectors.toList()))
                        .as("the running broker's data directory").singleElement().asString()
                        .startsWith("embedded-kafka-");
            }

            // SIGTERM, as Ctrl-C or a CI timeout would; destroy() also closes the child's stdin, so its main
            // thread starts close() at the same moment: the hook must wait for that close() to finish
            child.destroy();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child exited after SIGTERM").isTrue();
            try (var left = Files.walk(dataParent)) {
                assertThat(left.filter(p -> !p.equals(dataParent)).collect(Collectors.toList()))
                        .as("data left after SIGTERM (exit code %d); child stderr: %s", child.exitValue(),
                                readQuietly(stderr)).isEmpty();
            }
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void stopAndStartServeTheOldRecordsOnTheSameAddressAndConnectedClientsCarryOn(@TempDir Path tmp)
            throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.builder().parentDirectory(tmp).start();
        Path directory = kafka.directory();
        String bootstrap = kafka.bootstrapServers();
        int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        String topic = "restart-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500))) {
            kafka.createTopic(topic, 1, Map.of());
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "before-" + i)).get(30, TimeUnit.SECONDS);
            }

            long stopStarted = System.nanoTime();
            kafka.stop();
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStarted);
            assertThat(kafka.isRunning()).isFalse();
            assertThat(acceptsConnections(port)).as("the stopped broker's port refuses connections").isFalse();
            assertThat(directory).isDirectory();
            assertThatThrownBy(() -> kafka.createTopic("while-stopped", 1, Map.of()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("is stopped; start() it again");
            kafka.stop(); // idempotent

            long startStarted = System.nanoTime();
            kafka.start();
            long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startStarted);
            System.out.printf("stop %d ms, start again %d ms%n", stopMillis, startMillis);
            assertThat(kafka.isRunning()).isTrue();
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(kafka.directory()).isEqualTo(directory);

            // the producer that was connected before the stop reconnects by itself
            producer.send(new ProducerRecord<>(topic, 0, "k", "after")).get(60, TimeUnit.SECONDS);
        }
        assertThat(consumeAll(bootstrap, new TopicPartition(topic, 0), 4, Duration.ofSeconds(30)))
                .containsExactly("before-0", "before-1", "before-2", "after");

        kafka.close();
        assertThat(directory).doesNotExist();
        assertThat(kafka.isRunning()).isFalse();
        assertThatThrownBy(kafka::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void theDataOfABrokerWhoseJvmWasKilledIsDeletedByTheNextStart(@TempDir Path tmp) throws Exception {
        Path dataParent = Files.createDirectories(tmp.resolve("data"));
        Path stderr = tmp.resolve("child-stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Djava.io.tmpdir=" + dataParent, "-cp",
                System.getProperty("java.class.path"), EmbeddedKafka.class.getName())
                .redirectError(stderr.toFile())
                .start();
        Path abandoned;
        try {
            BufferedReader stdout = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = stdout.readLine();
            assertThat(line).as("first stdout line; child stderr: %s", readQuietly(stderr))
                    .startsWith("BOOTSTRAP_SERVERS=");
            String bootstrap = line.substring("BOOTSTRAP_SERVERS=".length());
            try (var dirs = Files.list(dataParent)) {
                abandoned = dirs.collect(Collectors.toList()).get(0);
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(acceptsConnections(Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1))))
                    .as("the killed broker is gone").isFalse();
            assertThat(abandoned).as("a SIGKILLed JVM cannot delete its data").isDirectory();
        } finally {
            child.destroyForcibly();
        }

        try (EmbeddedKafka next = EmbeddedKafka.builder().parentDirectory(dataParent).start()) {
            assertThat(abandoned).as("swept by the next start").doesNotExist();
            try (var dirs = Files.list(dataParent)) {
                assertThat(dirs.collect(Collectors.toList())).containsExactly(next.directory());
            }
        }
        try (var dirs = Files.list(dataParent)) {
            assertThat(dirs.collect(Collectors.toList())).isEmpty();
        }
    }

    private static boolean acceptsConnections(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> consumeAll(String bootstrapServers, TopicPartition partition, int count,
                                           Duration timeout) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (values.size() < count && System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "<unreadable: " + e + ">";
        }
    }

    private static ConsumerRecord<String, String> consumeOne(String bootstrapServers, TopicPartition partition,
                                                             Duration timeout) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    return record;
                }
            }
        }
        throw new AssertionError("no record consumed from " + partition + " within " + timeout);
    }

    private static int partitionCount(EmbeddedKafka kafka, String topic) throws Exception {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            return consumer.partitionsFor(topic, Duration.ofSeconds(30)).size();
        }
    }

    private static Set<Thread> nonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.isDaemon() && t.isAlive())
                .collect(Collectors.toSet());
    }

    /** New non-daemon threads still alive after close, given a few seconds to finish exiting. */
    private static List<String> leftoverThreads(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> leftover = new ArrayList<>();
        for (Thread t : nonDaemonThreads()) {
            if (before.contains(t)) {
                continue;
            }
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                leftover.add(t.getName());
            }
        }
        return leftover;
    }
}
