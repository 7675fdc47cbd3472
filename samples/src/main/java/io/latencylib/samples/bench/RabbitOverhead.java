package io.latencylib.samples.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import io.latencylib.LatencyRecorder;
import io.latencylib.rabbitmq.RabbitLatency;
import io.latencylib.rabbitmq.embedded.LocalRabbitMqNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 16: what wrapping a RabbitMQ channel costs, as throughput. Raw and wrapped channels take turns
 * in every round, in this JVM, against one local RabbitMQ node (rabbitmq-server as a child process; the
 * order flips each round); each round's wrapped/raw ratio is printed, then their median and spread.
 *
 * <ul>
 *   <li><b>producer</b>: one channel with publisher confirms publishes {@code messages} persistent 1 KiB
 *       messages to a fresh durable classic queue as fast as it can, at most {@code window} unconfirmed
 *       (as PerfTest's {@code --confirm}); rate = messages / (first publish to the last confirm).</li>
 *   <li><b>consumer</b>: one channel consumes (automatic acknowledgement) {@code messages} messages that a
 *       wrapped channel of another recorder published into a fresh queue before the clock started (stamped
 *       messages of a remote producer); rate = messages / (basicConsume to the last delivery).</li>
 * </ul>
 *
 * <p>Settings (optional, {@code -Dbench.args="messages:rounds:side:window"}), default {@code 100000:6:both:1000}.
 * Run: {@code ./mvnw -q -B -pl samples -am package -DskipTests exec:exec -Dexec.mainClass=io.latencylib.samples.bench.RabbitOverhead}
 * (needs {@code rabbitmq-server} installed, or {@code -Dlatency.rabbitmq.uri=amqp://...}).
 */
public final class RabbitOverhead {

    public static void main(String[] args) throws Exception {
        List<String> a = Bench.args();
        String[] f = (a.isEmpty() ? "" : a.get(0)).split(":");
        int messages = f.length > 0 && !f[0].isEmpty() ? Integer.parseInt(f[0]) : 100_000;
        int rounds = f.length > 1 ? Integer.parseInt(f[1]) : 6;
        String side = f.length > 2 ? f[2] : "both";
        int window = f.length > 3 ? Integer.parseInt(f[3]) : 1000;
        byte[][] payloads = KafkaOverhead.payloads();
        Paired producers = new Paired("producer wrapped/raw msg/s");
        Paired headers = new Paired("producer raw+header/raw msg/s");
        Paired producerCpu = new Paired("producer wrapped/raw client CPU us per message", false);
        Paired headerCpu = new Paired("producer raw+header/raw client CPU us per message", false);
        Paired consumers = new Paired("consumer wrapped/raw msg/s");
        Paired consumerCpu = new Paired("consumer wrapped/raw client CPU us per message", false);
        String uri = System.getProperty("latency.rabbitmq.uri");
        LocalRabbitMqNode node = null;
        ConnectionFactory factory;
        System.out.printf(Locale.ROOT, "%d cores, Java %s, load average %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Bench.loadAverage());
        if (uri != null && !uri.isBlank()) {
            factory = new ConnectionFactory();
            factory.setUri(uri);
        } else {
            System.out.println("starting a local RabbitMQ node (rabbitmq-server as a child process)...");
            node = LocalRabbitMqNode.builder().parentDirectory(Path.of(System.getProperty("bench.dataDir", "target")))
                    .start();
            factory = node.connectionFactory();
        }
        try (Connection connection = factory.newConnection("rabbit-overhead")) {
            System.out.printf(Locale.ROOT, "%,d persistent messages of 1 KiB per run, durable classic queues, confirms"
                    + " (window %d)%n", messages, window);
            if (!side.equals("consumer")) {
                System.out.println("-- producer: raw, raw with a stamp-sized header of its own in every message's"
                        + " properties (what carrying a stamp costs the client and the broker), and wrapped; the order"
                        + " rotates every round");
                publish(connection, "warm-raw", messages / 5, window, Mode.RAW, payloads);
                publish(connection, "warm-header", messages / 5, window, Mode.HEADER, payloads);
                publish(connection, "warm-wrapped", messages / 5, window, Mode.WRAPPED, payloads);
                for (int round = 1; round <= rounds; round++) {
                    Map<Mode, double[]> runs = new java.util.EnumMap<>(Mode.class);
                    for (int i = 0; i < 3; i++) {
                        Mode mode = Mode.values()[(i + round) % 3];
                        runs.put(mode, publish(connection, mode.prefix + round, messages, window, mode, payloads));
                    }
                    producers.add(runs.get(Mode.RAW)[0], runs.get(Mode.WRAPPED)[0]);
                    headers.add(runs.get(Mode.RAW)[0], runs.get(Mode.HEADER)[0]);
                    producerCpu.add(runs.get(Mode.RAW)[1], runs.get(Mode.WRAPPED)[1]);
                    headerCpu.add(runs.get(Mode.RAW)[1], runs.get(Mode.HEADER)[1]);
                    System.out.printf(Locale.ROOT, "   round %d: wrapped/raw %.3f, header/raw %.3f; client CPU per message"
                            + " wrapped/raw %.3f, header/raw %.3f%n", round, producers.ratios()[round - 1],
                            headers.ratios()[round - 1], producerCpu.ratios()[round - 1], headerCpu.ratios()[round - 1]);
                }
            }
            if (!side.equals("producer")) {
                System.out.println("-- consumer (messages stamped by a wrapped channel of another recorder)");
                consume(connection, "warm-raw", messages / 5, window, false, payloads);
                consume(connection, "warm-wrapped", messages / 5, window, true, payloads);
                for (int round = 1; round <= rounds; round++) {
                    boolean wrappedFirst = round % 2 == 0;
                    double[] first = consume(connection, name(wrappedFirst, round), messages, window, wrappedFirst,
                            payloads);
                    double[] second = consume(connection, name(!wrappedFirst, round), messages, window, !wrappedFirst,
                            payloads);
                    consumers.add((wrappedFirst ? second : first)[0], (wrappedFirst ? first : second)[0]);
                    consumerCpu.add((wrappedFirst ? second : first)[1], (wrappedFirst ? first : second)[1]);
                    System.out.printf(Locale.ROOT, "   round %d: wrapped/raw %.3f%n", round, consumers.ratios()[round - 1]);
                }
            }
        } finally {
            if (node != null) {
                node.close();
            }
        }
        System.out.println();
        System.out.println("RabbitMQ, " + messages + " persistent messages of 1 KiB, confirms, window " + window
                + "; load average now " + Bench.loadAverage());
        if (!side.equals("consumer")) {
            System.out.println(producers.summary());
            System.out.println(headers.summary());
            System.out.println(producerCpu.summary());
            System.out.println(headerCpu.summary());
        }
        if (!side.equals("producer")) {
            System.out.println(consumers.summary());
            System.out.println(consumerCpu.summary());
        }
    }

    /** What a producer run publishes with. */
    enum Mode {
        RAW("raw-"), HEADER("header-"), WRAPPED("wrapped-");

        final String prefix;

        Mode(String prefix) {
            this.prefix = prefix;
        }
    }

    private static String name(boolean wrapped, int round) {
        return (wrapped ? "wrapped-" : "raw-") + round;
    }

    /** Publishes {@code messages} with confirms, at most {@code window} unconfirmed: {msg/s, client CPU µs a message}. */
    static double[] publish(Connection connection, String name, int messages, int window, Mode mode,
                            byte[][] payloads) throws Exception {
        boolean wrapped = mode == Mode.WRAPPED;
        byte[] header = new byte[io.latencylib.LatencyStamp.LENGTH];
        String queue = "p-" + name;
        LatencyRecorder recorder = wrapped ? LatencyRecorder.create() : null;
        Channel raw = connection.createChannel();
        Channel channel = wrapped ? RabbitLatency.wrap(raw, recorder) : raw;
        channel.queueDeclare(queue, true, false, false, Map.of());
        channel.confirmSelect();
        Semaphore unconfirmed = new Semaphore(window);
        AtomicLong confirmed = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        channel.addConfirmListener((tag, multiple) -> settle(tag, multiple, confirmed, unconfirmed, done, messages),
                (tag, multiple) -> settle(tag, multiple, confirmed, unconfirmed, done, messages));
        AMQP.BasicProperties props = MessageProperties.PERSISTENT_BASIC;
        Bench.Cpu cpu = Bench.Cpu.now();
        Bench.ThreadCpu threads = new Bench.ThreadCpu();
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            unconfirmed.acquire();
            if (mode == Mode.HEADER) { // new properties with a new headers map a message, as the wrapper makes them
                Map<String, Object> h = new java.util.HashMap<>(2);
                h.put(io.latencylib.LatencyStamp.HEADER, header.clone());
                channel.basicPublish("", queue, props.builder().headers(h).build(), payloads[i & 15]);
            } else {
                channel.basicPublish("", queue, props, payloads[i & 15]);
            }
        }
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("confirms missing: " + confirmed.get() + " of " + messages);
        }
        long end = System.nanoTime();
        threads.close();
        Bench.Cpu after = Bench.Cpu.now();
        channel.queueDelete(queue);
        channel.close();
        double rate = messages / ((end - start) / 1e9);
        double perMessage = print(name, rate, threads, messages, cpu, after, recorder == null ? ""
                : String.format(Locale.ROOT, "  (recorder: %d acked)", recorder.report().counts().acked()));
        return new double[] {rate, perMessage};
    }


    /** Confirms: {@code multiple} settles every tag up to {@code tag}. One listener per channel, on its dispatch thread. */
    private static void settle(long tag, boolean multiple, AtomicLong confirmed, Semaphore unconfirmed,
                               CountDownLatch done, int messages) {
        long before = confirmed.get();
        long n = multiple ? tag - before : 1;
        if (n <= 0) {
            return;
        }
        confirmed.addAndGet(n);
        unconfirmed.release((int) n);
        if (confirmed.get() >= messages) {
            done.countDown();
        }
    }

    /** Fills a fresh queue with stamped messages, then consumes them all: {msg/s, client CPU µs a message}. */
    static double[] consume(Connection connection, String name, int messages, int window, boolean wrapped,
                          byte[][] payloads) throws Exception {
        String queue = "c-" + name;
        Channel filler = RabbitLatency.wrap(connection.createChannel(), LatencyRecorder.create());
        filler.queueDeclare(queue, true, false, false, Map.of());
        filler.confirmSelect();
        for (int i = 0; i < messages; i++) {
            filler.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC, payloads[i & 15]);
            if (i % window == window - 1) {
                filler.waitForConfirmsOrDie(60_000);
            }
        }
        filler.waitForConfirmsOrDie(60_000);
        filler.close();
        LatencyRecorder recorder = wrapped ? LatencyRecorder.create() : null;
        Channel raw = connection.createChannel();
        Channel channel = wrapped ? RabbitLatency.wrap(raw, recorder) : raw;
        CountDownLatch done = new CountDownLatch(1);
        long[] received = new long[2];
        Bench.Cpu cpu = Bench.Cpu.now();
        Bench.ThreadCpu threads = new Bench.ThreadCpu();
        long start = System.nanoTime();
        channel.basicConsume(queue, true, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                received[1] += body.length; // the application touches every message
                if (++received[0] == messages) {
                    done.countDown();
                }
            }
        });
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("received " + received[0] + " of " + messages);
        }
        long end = System.nanoTime();
        threads.close();
        Bench.Cpu after = Bench.Cpu.now();
        channel.queueDelete(queue);
        channel.close();
        double rate = messages / ((end - start) / 1e9);
        double perMessage = print(name, rate, threads, messages, cpu, after, recorder == null ? ""
                : String.format(Locale.ROOT, "  (recorder: %d received)", recorder.report().counts().received()));
        return new double[] {rate, perMessage};
    }

    private static double print(String name, double rate, Bench.ThreadCpu threads, int messages, Bench.Cpu cpu,
                              Bench.Cpu after, String extra) {
        Map<String, Long> g = threads.byGroup();
        long client = g.entrySet().stream().filter(e -> e.getKey().startsWith("main")
                || e.getKey().startsWith("AMQP Connection") || e.getKey().startsWith("pool-"))
                .mapToLong(Map.Entry::getValue).sum();
        System.out.printf(Locale.ROOT, "   %-13s %,9.0f msg/s  CPU per message: application thread %.2f us, client"
                        + " threads (main, connection, dispatch) %.2f us  [CPU this JVM %.0f%%, others %.0f%%]%s%n", name,
                rate, g.getOrDefault("main", 0L) / 1e3 / messages, client / 1e3 / messages, after.selfSince(cpu),
                after.othersSince(cpu), extra);
        return client / 1e3 / messages;
    }
}
