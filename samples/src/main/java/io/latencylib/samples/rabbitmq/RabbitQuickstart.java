package io.latencylib.samples.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import io.latencylib.LatencyRecorder;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.Schedule;
import io.latencylib.rabbitmq.RabbitLoadDriver;
import io.latencylib.rabbitmq.RabbitLoadDriver.QueueType;
import io.latencylib.rabbitmq.embedded.LocalRabbitMqNode;
import io.latencylib.report.LatencyReports;
import io.latencylib.report.ReportData;
import io.latencylib.slo.Slo;
import io.latencylib.slo.SloCheck;
import io.latencylib.slo.Verdict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The RabbitMQ quickstart: starts an isolated RabbitMQ node (Debian's rabbitmq-server, no Docker) or
 * uses {@code -Dlatency.rabbitmq.uri=amqp://...}, then drives paced load through wrapped channels
 * with publisher confirms, on a classic and on a quorum queue, and prints the stage breakdown and
 * the SLO verdicts of each. Arguments: [messages per second] [seconds]. Writes only under target/.
 */
public final class RabbitQuickstart {

    private static final List<Slo> SLOS = Slo.parseAll("p99 < 50ms", "lost == 0");

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String uri = System.getProperty("latency.rabbitmq.uri", System.getenv("LATENCY_RABBITMQ_URI"));
        LocalRabbitMqNode node = null;
        ConnectionFactory factory;
        if (uri != null && !uri.isBlank()) {
            factory = new ConnectionFactory();
            factory.setUri(uri);
        } else {
            System.out.println("Starting an isolated RabbitMQ node (rabbitmq-server as a child process)...");
            node = LocalRabbitMqNode.builder().parentDirectory(Path.of("target")).start();
            factory = node.connectionFactory();
        }
        try {
            for (QueueType type : QueueType.values()) {
                System.out.printf(Locale.ROOT, "%n== %s queue: %,d msg/s of 1 KiB for %d s, persistent, publisher confirms ==%n",
                        type.name().toLowerCase(Locale.ROOT), rate, seconds);
                LatencyRecorder recorder = LatencyRecorder.create();
                LoadReport report = LoadRun.builder(RabbitLoadDriver.builder(factory).queueType(type).build())
                        .destination("quickstart-" + type.name().toLowerCase(Locale.ROOT))
                        .schedule(Schedule.constant(rate, Duration.ofSeconds(seconds)))
                        .warmUp(Duration.ofSeconds(3)).messageSize(1024).recorder(recorder)
                        .run();
                System.out.print(report.toTable());
                List<Verdict> verdicts = SloCheck.evaluate(SLOS, report.report());
                for (Verdict v : verdicts) {
                    System.out.printf(Locale.ROOT, "SLO %s: %s (measured %s)%n", v.slo(), v.passed() ? "PASS" : "FAIL",
                            v.measuredText());
                    if (!v.passed()) {
                        System.out.println(v.message());
                    }
                }
                ReportData data = ReportData.of(report).withVerdicts(verdicts);
                String name = "rabbit-quickstart-" + type.name().toLowerCase(Locale.ROOT);
                Path json = Path.of("target", "latency-reports", name + ".json");
                Path html = json.resolveSibling(name + ".html");
                LatencyReports.writeJson(data, json);
                LatencyReports.writeHtml(data, html);
                System.out.printf(Locale.ROOT, "Reports: %s, %s%n", json.toAbsolutePath(), html.toAbsolutePath());
            }
        } finally {
            if (node != null) {
                node.close();
            }
        }
    }
}
