package io.latencylib.samples.bench;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import io.latencylib.kafka.KafkaLatency;
import io.latencylib.kafka.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Issue 16: what wrapping costs a Kafka application, as throughput. Raw and wrapped clients take turns
 * in every round, in this JVM, against one embedded broker (the order flips each round), and each
 * round's wrapped/raw ratio is printed; the median and spread of the ratios are the result.
 *
 * <ul>
 *   <li><b>producer</b>: one {@code KafkaProducer} sends {@code records} records of 1 KiB as fast as it can
 *       (no key, acks=all, linger 5 ms, batch 128 KiB) to a fresh topic of 4 partitions with LogAppendTime,
 *       then {@code flush()}; rate = records / (first send to flush returned). The wrapped one is
 *       {@code KafkaLatency.wrap(producer, recorder)} with a recorder of its own, as an application has it
 *       when its consumers run elsewhere. A third variant, <b>raw + header</b>, is the raw producer sending a
 *       34-byte {@code latency-stamp} header of its own with every record (a new array and header object a
 *       record, as the wrapper's): what carrying a stamp costs Kafka itself, apart from the library's work.
 *       The order of the three rotates every round.</li>
 *   <li><b>consumer</b>: one {@code KafkaConsumer} (assigned all 4 partitions, from the beginning) reads
 *       {@code records} records written before the rounds by a wrapped producer of another recorder
 *       (stamped messages from a remote producer, as a consumer of another service meets them);
 *       rate = records / (first poll to the last record returned).</li>
 * </ul>
 * Each run also prints the CPU time per record of the application's thread and of the producer's
 * I/O thread (the thread that runs the acknowledgement callbacks), which does not depend on what else
 * the machine is doing as much as the rates do.
 *
 * <p>Settings (optional, {@code -Dbench.args="records:rounds:side:lingerMs:batchBytes:partitions"}), default
 * {@code 500000:6:both:5:131072:4}; side is {@code producer}, {@code consumer} or {@code both}.
 * {@code -Dbench.jvmArgs=-Dbench.dataDir=/dev/shm} puts the broker's log on tmpfs.
 * Run: {@code ./mvnw -q -B -pl samples -am package -DskipTests exec:exec -Dexec.mainClass=io.latencylib.samples.bench.KafkaOverhead}
 */
public final class KafkaOverhead {

    private static final int SIZE = 1024;

    public static void main(String[] args) throws Exception {
        List<String> a = Bench.args();
        String[] f = (a.isEmpty() ? "" : a.get(0)).split(":");
        int records = f.length > 0 && !f[0].isEmpty() ? Integer.parseInt(f[0]) : 500_000;
        int rounds = f.length > 1 ? Integer.parseInt(f[1]) : 6;
        String side = f.length > 2 ? f[2] : "both";
        int lingerMs = f.length > 3 ? Integer.parseInt(f[3]) : 5;
        int batchBytes = f.length > 4 ? Integer.parseInt(f[4]) : 131072;
        int partitions = f.length > 5 ? Integer.parseInt(f[5]) : 4;
        byte[][] payloads = payloads();
        Paired producers = new Paired("producer wrapped/raw msg/s");
        Paired headers = new Paired("producer raw+header/raw msg/s");
        Paired producerCpu = new Paired("producer wrapped/raw CPU us per record (sending + I/O thread)", false);
        Paired headerCpu = new Paired("producer raw+header/raw CPU us per record (sending + I/O thread)", false);
        Paired consumers = new Paired("consumer wrapped/raw msg/s");
        Paired consumerCpu = new Paired("consumer wrapped/raw CPU us per record (consuming thread)", false);
        try (EmbeddedKafka kafka = Bench.broker()) {
            Map<String, Object> props = Bench.producer(kafka.bootstrapServers(), lingerMs, batchBytes);
            System.out.printf(Locale.ROOT, "%,d records of %d bytes per run, %d partitions, producer %s%n", records,
                    SIZE, partitions, props);
            if (!side.equals("consumer")) {
                System.out.println("-- producer: raw, raw with a 34-byte '" + LatencyStamp.HEADER + "' header of its own"
                        + " (what carrying a stamp costs Kafka itself), and wrapped send the same records, each to a"
                        + " fresh topic, in an order that rotates every round");
                produce(kafka, props, partitions, "warm-raw", records / 5, Mode.RAW, payloads);
                produce(kafka, props, partitions, "warm-header", records / 5, Mode.HEADER, payloads);
                produce(kafka, props, partitions, "warm-wrapped", records / 5, Mode.WRAPPED, payloads);
                for (int round = 1; round <= rounds; round++) {
                    Map<Mode, Run> runs = new java.util.EnumMap<>(Mode.class);
                    for (int i = 0; i < 3; i++) {
                        Mode mode = Mode.values()[(i + round) % 3];
                        runs.put(mode, produce(kafka, props, partitions, mode.prefix + round, records, mode, payloads));
                    }
                    Run raw = runs.get(Mode.RAW);
                    producers.add(raw.rate, runs.get(Mode.WRAPPED).rate);
                    headers.add(raw.rate, runs.get(Mode.HEADER).rate);
                    producerCpu.add(raw.cpu, runs.get(Mode.WRAPPED).cpu);
                    headerCpu.add(raw.cpu, runs.get(Mode.HEADER).cpu);
                    System.out.printf(Locale.ROOT, "   round %d: wrapped/raw %.3f, header/raw %.3f; client CPU per record"
                            + " wrapped/raw %.3f, header/raw %.3f%n", round, producers.ratios()[round - 1],
                            headers.ratios()[round - 1], producerCpu.ratios()[round - 1], headerCpu.ratios()[round - 1]);
                }
            }
            if (!side.equals("producer")) {
                System.out.println("-- consumer: raw and wrapped read the same stamped records (written by a wrapped"
                        + " producer of another recorder)");
                String topic = "stamped";
                kafka.createTopic(topic, partitions, Map.of("message.timestamp.type", "LogAppendTime"));
                LatencyRecorder other = LatencyRecorder.create();
                Map<String, Object> p = new HashMap<>(props);
                p.put(ProducerConfig.CLIENT_ID_CONFIG, "stamping-producer");
                try (Producer<byte[], byte[]> producer = KafkaLatency.wrap(
                        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()), other)) {
                    for (int i = 0; i < records; i++) {
                        producer.send(new ProducerRecord<>(topic, null, payloads[i & 15]));
                    }
                    producer.flush();
                }
                consume(kafka, topic, partitions, "warm-raw", records, false);
                consume(kafka, topic, partitions, "warm-wrapped", records, true);
                for (int round = 1; round <= rounds; round++) {
                    boolean wrappedFirst = round % 2 == 0;
                    Run first = consume(kafka, topic, partitions, name(wrappedFirst, round), records, wrappedFirst);
                    Run second = consume(kafka, topic, partitions, name(!wrappedFirst, round), records, !wrappedFirst);
                    Run raw = wrappedFirst ? second : first;
                    Run wrapped = wrappedFirst ? first : second;
                    consumers.add(raw.rate, wrapped.rate);
                    consumerCpu.add(raw.cpu, wrapped.cpu);
                    System.out.printf(Locale.ROOT, "   round %d: wrapped/raw %.3f; consuming thread CPU per record"
                            + " wrapped/raw %.3f%n", round, consumers.ratios()[round - 1], consumerCpu.ratios()[round - 1]);
                }
            }
        }
        System.out.println();
        System.out.println("Kafka, " + records + " records of 1 KiB, acks=all, linger " + lingerMs + " ms, batch "
                + batchBytes + ", " + partitions + " partitions; load average now " + Bench.loadAverage());
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

    /** What a producer run sends with. */
    enum Mode {
        RAW("raw-"), HEADER("header-"), WRAPPED("wrapped-");

        final String prefix;

        Mode(String prefix) {
            this.prefix = prefix;
        }
    }

    /** A run's rate (msg/s) and the CPU its client threads used per record (µs). */
    record Run(double rate, double cpu) {
    }

    private static String name(boolean wrapped, int round) {
        return (wrapped ? "wrapped-" : "raw-") + round;
    }

    /** One producer run on a fresh topic: records per second from the first send to flush() returned. */
    static Run produce(EmbeddedKafka kafka, Map<String, Object> props, int partitions, String name, int records,
                       Mode mode, byte[][] payloads) {
        boolean wrapped = mode == Mode.WRAPPED;
        byte[] header = new byte[LatencyStamp.LENGTH];
        String topic = "p-" + name;
        kafka.createTopic(topic, partitions, Map.of("message.timestamp.type", "LogAppendTime"));
        Map<String, Object> p = new HashMap<>(props);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "p-" + name);
        LatencyRecorder recorder = wrapped ? LatencyRecorder.create() : null;
        Producer<byte[], byte[]> raw = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        Producer<byte[], byte[]> producer = wrapped ? KafkaLatency.wrap(raw, recorder) : raw;
        // metadata fetched and every partition's leader answering before the clock starts
        for (int i = 0; i < partitions; i++) {
            producer.send(new ProducerRecord<>(topic, i, null, payloads[0]));
        }
        producer.flush();
        Bench.Cpu cpu = Bench.Cpu.now();
        Bench.ThreadCpu threads = new Bench.ThreadCpu();
        long start = System.nanoTime();
        if (mode == Mode.HEADER) {
            for (int i = 0; i < records; i++) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, payloads[i & 15]);
                r.headers().add(LatencyStamp.HEADER, header.clone()); // a new array a record, as a stamp is
                producer.send(r);
            }
        } else {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, null, payloads[i & 15]));
            }
        }
        producer.flush();
        long end = System.nanoTime();
        threads.close();
        Bench.Cpu after = Bench.Cpu.now();
        producer.close();
        Bench.deleteTopics(kafka, "p-"); // its 500 MB
        double rate = records / ((end - start) / 1e9);
        Map<String, Long> g = threads.byGroup();
        long io = g.entrySet().stream().filter(e -> e.getKey().startsWith("kafka-producer-network-thread"))
                .mapToLong(Map.Entry::getValue).sum();
        double sending = g.getOrDefault("main", 0L) / 1e3 / records;
        System.out.printf(Locale.ROOT, "   %-11s %,9.0f msg/s  CPU per record: sending thread %.2f us, producer I/O"
                        + " thread %.2f us, all %.2f us  [CPU this JVM %.0f%%, others %.0f%%]%s%n", name, rate,
                sending, io / 1e3 / records,
                g.values().stream().mapToLong(Long::longValue).sum() / 1e3 / records, after.selfSince(cpu),
                after.othersSince(cpu), recorder == null ? ""
                        : String.format(Locale.ROOT, "  (recorder: %d acked)", recorder.report().counts().acked()));
        return new Run(rate, sending + io / 1e3 / records);
    }

    /** One consumer run over the whole topic: records per second from the first poll to the last record. */
    static Run consume(EmbeddedKafka kafka, String topic, int partitions, String name, int records, boolean wrapped) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, (wrapped ? "wrapped-c-" : "raw-c-") + name);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        LatencyRecorder recorder = wrapped ? LatencyRecorder.create() : null;
        Consumer<byte[], byte[]> raw = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Consumer<byte[], byte[]> consumer = wrapped ? KafkaLatency.wrap(raw, recorder) : raw;
        List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            tps.add(new TopicPartition(topic, i));
        }
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        for (TopicPartition tp : tps) {
            consumer.position(tp); // offsets looked up before the clock starts
        }
        Bench.Cpu cpu = Bench.Cpu.now();
        Bench.ThreadCpu threads = new Bench.ThreadCpu();
        long start = System.nanoTime();
        long count = 0;
        long bytes = 0;
        while (count < records) {
            ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(500));
            for (var r : polled) {
                bytes += r.value().length; // the application touches every record
                count++;
            }
        }
        long end = System.nanoTime();
        threads.close();
        Bench.Cpu after = Bench.Cpu.now();
        consumer.close();
        double rate = records / ((end - start) / 1e9);
        Map<String, Long> g = threads.byGroup();
        System.out.printf(Locale.ROOT, "   %-11s %,9.0f msg/s  CPU per record: consuming thread %.2f us, all %.2f us"
                        + "  [CPU this JVM %.0f%%, others %.0f%%]%s%n", name, rate, g.getOrDefault("main", 0L) / 1e3 / records,
                g.values().stream().mapToLong(Long::longValue).sum() / 1e3 / records, after.selfSince(cpu),
                after.othersSince(cpu), recorder == null ? "" : String.format(Locale.ROOT, "  (recorder: %d received, %d bytes)",
                        recorder.report().counts().received(), bytes));
        return new Run(rate, g.getOrDefault("main", 0L) / 1e3 / records);
    }

    /** 16 payloads of 1 KiB of random letters. */
    static byte[][] payloads() {
        SplittableRandom random = new SplittableRandom(1);
        byte[][] p = new byte[16][SIZE];
        for (byte[] b : p) {
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) ('A' + random.nextInt(26));
            }
        }
        return p;
    }
}
