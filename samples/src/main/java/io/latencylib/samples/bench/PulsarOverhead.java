package io.latencylib.samples.bench;

import io.latencylib.LatencyRecorder;
import io.latencylib.pulsar.PulsarLatency;
import io.latencylib.pulsar.embedded.EmbeddedPulsar;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;

/**
 * Issue 16: what wrapping Pulsar clients costs, as throughput. Raw and wrapped clients take turns in every
 * round, in this JVM, against one Pulsar standalone (a child JVM; the order flips each round); each
 * round's wrapped/raw ratio is printed, then their median and spread.
 *
 * <ul>
 *   <li><b>producer</b>: one producer (batching, 1 ms, at most 10,000 pending, blocking when full) sends
 *       {@code messages} messages of 1 KiB with {@code sendAsync} as fast as it can to a fresh topic, the
 *       loop of pulsar-perf's producer without its rate limiter; rate = messages / (first send to the
 *       last send's future completed).</li>
 *   <li><b>consumer</b>: one consumer on a fresh subscription (from the earliest message) receives and
 *       acknowledges {@code messages} messages that a wrapped producer of another recorder wrote before the
 *       rounds; rate = messages / (first receive to the last message).</li>
 * </ul>
 *
 * <p>Settings (optional, {@code -Dbench.args="messages:rounds:side"}), default {@code 200000:6:both}.
 * Run: {@code ./mvnw -q -B -pl samples -am package -DskipTests exec:exec -Dexec.mainClass=io.latencylib.samples.bench.PulsarOverhead}
 * ({@code -Dlatency.pulsar.serviceUrl=pulsar://host:6650} for a broker of your own).
 */
public final class PulsarOverhead {

    public static void main(String[] args) throws Exception {
        List<String> a = Bench.args();
        String[] f = (a.isEmpty() ? "" : a.get(0)).split(":");
        int messages = f.length > 0 && !f[0].isEmpty() ? Integer.parseInt(f[0]) : 200_000;
        int rounds = f.length > 1 ? Integer.parseInt(f[1]) : 6;
        String side = f.length > 2 ? f[2] : "both";
        byte[][] payloads = KafkaOverhead.payloads();
        Paired producers = new Paired("producer wrapped/raw msg/s");
        Paired producerCpu = new Paired("producer wrapped/raw CPU us per message (client threads)", false);
        Paired properties = new Paired("producer raw+property/raw msg/s");
        Paired propertyCpu = new Paired("producer raw+property/raw CPU us per message (client threads)", false);
        Paired consumers = new Paired("consumer wrapped/raw msg/s");
        Paired consumerCpu = new Paired("consumer wrapped/raw CPU us per message (client threads)", false);
        System.out.printf(Locale.ROOT, "%d cores, Java %s, load average %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Bench.loadAverage());
        String serviceUrl = System.getProperty("latency.pulsar.serviceUrl");
        EmbeddedPulsar pulsar = null;
        if (serviceUrl == null || serviceUrl.isBlank()) {
            System.out.println("starting a Pulsar standalone (child JVM)...");
            pulsar = EmbeddedPulsar.builder().parentDirectory(Path.of(System.getProperty("bench.dataDir", "target")))
                    .jvmOptions(List.of("-Xmx1g")).start();
            serviceUrl = pulsar.serviceUrl();
        }
        try (PulsarClient client = PulsarClient.builder().serviceUrl(serviceUrl).build()) {
            System.out.printf(Locale.ROOT, "%,d messages of 1 KiB per run%n", messages);
            String run = Long.toString(System.currentTimeMillis(), 36);
            if (!side.equals("consumer")) {
                System.out.println("-- producer: raw, raw with a stamp-sized property of its own (48 Base64 characters,"
                        + " what carrying a stamp costs the client and the broker) and wrapped; the order rotates");
                produce(client, run + "-warm-raw", messages / 5, Mode.RAW, payloads);
                produce(client, run + "-warm-property", messages / 5, Mode.PROPERTY, payloads);
                produce(client, run + "-warm-wrapped", messages / 5, Mode.WRAPPED, payloads);
                for (int round = 1; round <= rounds; round++) {
                    Map<Mode, double[]> runs = new java.util.EnumMap<>(Mode.class);
                    for (int i = 0; i < 3; i++) {
                        Mode mode = Mode.values()[(i + round) % 3];
                        runs.put(mode, produce(client, run + "-" + mode.prefix + round, messages, mode, payloads));
                    }
                    producers.add(runs.get(Mode.RAW)[0], runs.get(Mode.WRAPPED)[0]);
                    properties.add(runs.get(Mode.RAW)[0], runs.get(Mode.PROPERTY)[0]);
                    producerCpu.add(runs.get(Mode.RAW)[1], runs.get(Mode.WRAPPED)[1]);
                    propertyCpu.add(runs.get(Mode.RAW)[1], runs.get(Mode.PROPERTY)[1]);
                    System.out.printf(Locale.ROOT, "   round %d: wrapped/raw %.3f, property/raw %.3f; client CPU a message"
                            + " wrapped/raw %.3f, property/raw %.3f%n", round, producers.ratios()[round - 1],
                            properties.ratios()[round - 1], producerCpu.ratios()[round - 1],
                            propertyCpu.ratios()[round - 1]);
                }
            }
            if (!side.equals("producer")) {
                System.out.println("-- consumer (messages stamped by a wrapped producer of another recorder)");
                String topic = "persistent://public/default/stamped-" + run;
                try (Producer<byte[]> p = PulsarLatency.wrap(newProducer(client, topic), LatencyRecorder.create())) {
                    CompletableFuture<MessageId> last = null;
                    for (int i = 0; i < messages; i++) {
                        last = p.sendAsync(payloads[i & 15]);
                    }
                    p.flush();
                    last.get(120, TimeUnit.SECONDS);
                }
                consume(client, topic, "warm-raw", messages, false);
                consume(client, topic, "warm-wrapped", messages, true);
                for (int round = 1; round <= rounds; round++) {
                    boolean wrappedFirst = round % 2 == 0;
                    double[] first = consume(client, topic, name(wrappedFirst, round), messages, wrappedFirst);
                    double[] second = consume(client, topic, name(!wrappedFirst, round), messages, !wrappedFirst);
                    double[] raw = wrappedFirst ? second : first;
                    double[] wrapped = wrappedFirst ? first : second;
                    consumers.add(raw[0], wrapped[0]);
                    consumerCpu.add(raw[1], wrapped[1]);
                    System.out.printf(Locale.ROOT, "   round %d: wrapped/raw %.3f, CPU wrapped/raw %.3f%n", round,
                            consumers.ratios()[round - 1], consumerCpu.ratios()[round - 1]);
                }
            }
        } finally {
            if (pulsar != null) {
                pulsar.close();
            }
        }
        System.out.println();
        System.out.println("Pulsar, " + messages + " messages of 1 KiB, batching 1 ms; load average now " + Bench.loadAverage());
        if (!side.equals("consumer")) {
            System.out.println(producers.summary());
            System.out.println(properties.summary());
            System.out.println(producerCpu.summary());
            System.out.println(propertyCpu.summary());
        }
        if (!side.equals("producer")) {
            System.out.println(consumers.summary());
            System.out.println(consumerCpu.summary());
        }
    }

    /** What a producer run sends with. */
    enum Mode {
        RAW("raw-"), PROPERTY("property-"), WRAPPED("wrapped-");

        final String prefix;

        Mode(String prefix) {
            this.prefix = prefix;
        }
    }

    private static String name(boolean wrapped, int round) {
        return (wrapped ? "-wrapped-" : "-raw-") + round;
    }

    static Producer<byte[]> newProducer(PulsarClient client, String topic) throws Exception {
        return client.newProducer(Schema.BYTES).topic(topic).enableBatching(true)
                .batchingMaxPublishDelay(1, TimeUnit.MILLISECONDS).blockIfQueueFull(true).maxPendingMessages(10_000)
                .create();
    }

    /** One producer run on a fresh topic: {msg/s, client CPU µs per message}. */
    static double[] produce(PulsarClient client, String name, int messages, Mode mode, byte[][] payloads)
            throws Exception {
        boolean wrapped = mode == Mode.WRAPPED;
        byte[] stampSized = new byte[io.latencylib.LatencyStamp.LENGTH];
        String topic = "persistent://public/default/p-" + name;
        LatencyRecorder recorder = wrapped ? LatencyRecorder.create() : null;
        Producer<byte[]> raw = newProducer(client, topic);
        Producer<byte[]> producer = wrapped ? PulsarLatency.wrap(raw, recorder) : raw;
        producer.send(payloads[0]); // the topic is there and the producer connected before the clock starts
        Bench.Cpu cpu = Bench.Cpu.now();
        Bench.ThreadCpu threads = new Bench.ThreadCpu();
        long start = System.nanoTime();
        CompletableFuture<MessageId> last = null;
        if (mode == Mode.PROPERTY) { // a new 48-character string a message, as the wrapper's Base64 stamp
            java.util.Base64.Encoder base64 = java.util.Base64.getEncoder();
            for (int i = 0; i < messages; i++) {
                stampSized[0] = (byte) i;
                last = producer.newMessage().value(payloads[i & 15])
                        .property(io.latencylib.LatencyStamp.HEADER, base64.encodeToString(stampSized)).sendAsync();
            }
        } else {
            for (int i = 0; i < messages; i++) {
                last = producer.sendAsync(payloads[i & 15]);
            }
        }
        producer.flush();
        last.get(120, TimeUnit.SECONDS);
        long end = System.nanoTime();
        threads.close();
        Bench.Cpu after = Bench.Cpu.now();
        producer.close();
        return print(name, messages / ((end - start) / 1e9), threads, messages, cpu, after, recorder == null ? ""
                : String.format(Locale.ROOT, "  (recorder: %d acked)", recorder.report().counts().acked()));
    }

    /** One consumer run over the whole topic on a fresh subscription: {msg/s, client CPU µs per message}. */
    static double[] consume(PulsarClient client, String topic, String name, int messages, boolean wrapped)
            throws Exception {
        LatencyRecorder recorder = wrapped ? LatencyRecorder.create() : null;
        Consumer<byte[]> raw = client.newConsumer(Schema.BYTES).topic(topic).subscriptionName("s-" + name)
                .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest).receiverQueueSize(1000).subscribe();
        Consumer<byte[]> consumer = wrapped ? PulsarLatency.wrap(raw, recorder) : raw;
        Bench.Cpu cpu = Bench.Cpu.now();
        Bench.ThreadCpu threads = new Bench.ThreadCpu();
        long start = System.nanoTime();
        long bytes = 0;
        for (int i = 0; i < messages; i++) {
            Message<byte[]> m = consumer.receive(60, TimeUnit.SECONDS);
            if (m == null) {
                throw new IllegalStateException("received " + i + " of " + messages);
            }
            bytes += m.getData().length; // the application touches every message
            consumer.acknowledgeAsync(m.getMessageId());
        }
        long end = System.nanoTime();
        threads.close();
        Bench.Cpu after = Bench.Cpu.now();
        consumer.unsubscribe();
        consumer.close();
        return print(name, messages / ((end - start) / 1e9), threads, messages, cpu, after, recorder == null ? ""
                : String.format(Locale.ROOT, "  (recorder: %d received, %d bytes)", recorder.report().counts().received(),
                        bytes));
    }

    private static double[] print(String name, double rate, Bench.ThreadCpu threads, int messages, Bench.Cpu cpu,
                                  Bench.Cpu after, String extra) {
        Map<String, Long> g = threads.byGroup();
        long client = g.entrySet().stream().filter(e -> e.getKey().equals("main")
                        || e.getKey().startsWith("pulsar-client") || e.getKey().startsWith("pulsar-timer"))
                .mapToLong(Map.Entry::getValue).sum();
        double perMessage = client / 1e3 / messages;
        System.out.printf(Locale.ROOT, "   %-24s %,9.0f msg/s  CPU per message: application thread %.2f us, client"
                        + " threads (main, pulsar-client-io, -internal) %.2f us  [CPU this JVM %.0f%%, others %.0f%%]%s%n",
                name, rate, g.getOrDefault("main", 0L) / 1e3 / messages, perMessage, after.selfSince(cpu),
                after.othersSince(cpu), extra);
        return new double[] {rate, perMessage};
    }
}
