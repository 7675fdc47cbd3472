package io.latencylib.samples;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.kafka.KafkaLatency;
import io.latencylib.kafka.embedded.EmbeddedKafka;
import io.latencylib.report.LatencyReports;
import io.latencylib.report.ReportData;
import io.latencylib.slo.Slo;
import io.latencylib.slo.SloCheck;
import io.latencylib.slo.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The README's first command: starts a real Kafka broker in this JVM, sends a steady stream of
 * 1 KiB messages through a wrapped producer to a wrapped consumer, and prints where the time went,
 * stage by stage, with an SLO verdict. Arguments: [messages per second] [seconds].
 * Writes nothing outside {@code target/}.
 */
public final class Quickstart {

    /** The objectives the verdict is given on (the SLO language of latency-lib). */
    private static final int WARM_UP_SECONDS = 3;
    private static final List<Slo> SLOS = Slo.parseAll("p99 < 50ms", "lost == 0");

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int count = rate * seconds;
        int warmUp = rate * WARM_UP_SECONDS;
        String topic = "quickstart";
        System.out.printf(Locale.ROOT, "Starting an embedded Kafka broker (KRaft, in this JVM)...%n");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().parentDirectory(Path.of("target")).start();
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            KafkaLatency.ensureLogAppendTime(admin, topic, 3, (short) 1);
            LatencyRecorder recorder = LatencyRecorder.create();

            Producer<String, byte[]> producer = KafkaLatency.wrap(new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())), recorder);
            Consumer<String, byte[]> consumer = KafkaLatency.wrap(new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "quickstart",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())), recorder);

            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch subscribed = new CountDownLatch(1);
            CountDownLatch allReceived = new CountDownLatch(1);
            Thread consumerThread = new Thread(() -> {
                try (consumer) {
                    consumer.subscribe(List.of(topic));
                    long received = 0;
                    while (!stop.get()) {
                        received += consumer.poll(Duration.ofMillis(100)).count();
                        if (!consumer.assignment().isEmpty()) {
                            subscribed.countDown();
                        }
                        if (received >= warmUp + count) {
                            allReceived.countDown();
                        }
                    }
                }
            }, "quickstart-consumer");
            consumerThread.start();
            if (!subscribed.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the consumer was not assigned partitions within 30 s");
            }

            System.out.printf(Locale.ROOT, "Sending %,d messages of 1 KiB at %,d msg/s for %d s after a %d s warm-up"
                    + " (acks=all, linger.ms=5, 3 partitions, LogAppendTime)...%n", count, rate, seconds, WARM_UP_SECONDS);
            // the first seconds warm the JIT, the broker and the clients up: measure only what is sent after them
            recorder.measureFrom(Instant.now().plusSeconds(WARM_UP_SECONDS));
            byte[] payload = new byte[1024];
            long interval = 1_000_000_000L / rate;
            long next = System.nanoTime();
            try (producer) {
                for (int i = 0; i < warmUp + count; i++) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // park, never spin: a spinning sender steals a core
                    }
                    producer.send(new ProducerRecord<>(topic, Integer.toString(i % 100), payload));
                    next += interval;
                }
            }
            boolean complete = allReceived.await(30, TimeUnit.SECONDS);
            stop.set(true);
            consumerThread.join();

            LatencyReport report = recorder.report();
            System.out.println();
            System.out.print(report.toTable());
            List<Verdict> verdicts = SloCheck.evaluate(SLOS, report);
            System.out.println();
            for (Verdict verdict : verdicts) {
                System.out.printf(Locale.ROOT, "SLO %s: %s (measured %s)%n", verdict.slo(),
                        verdict.passed() ? "PASS" : "FAIL", verdict.measuredText());
                if (!verdict.passed()) {
                    System.out.println(verdict.message());
                }
            }
            Path reports = Path.of("target", "latency-reports");
            Files.createDirectories(reports);
            ReportData data = ReportData.of(report).withVerdicts(verdicts);   // the verdicts go into the JSON and HTML
            LatencyReports.writeJson(data, reports.resolve("quickstart.json"));
            LatencyReports.writeHistogramLog(report, reports.resolve("quickstart.hlog"));
            LatencyReports.writeHtml(data, reports.resolve("quickstart.html"));
            System.out.printf(Locale.ROOT, "%nReports: %s, %s, %s%n", reports.resolve("quickstart.json").toAbsolutePath(),
                    reports.resolve("quickstart.hlog").toAbsolutePath(), reports.resolve("quickstart.html").toAbsolutePath());
            if (!complete) {
                System.out.printf(Locale.ROOT, "only %d of %d messages arrived within 30 s%n", report.counts().received(), count);
            }
        }
    }
}
