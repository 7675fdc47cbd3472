package io.latencylib.samples.pulsar;

import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.Schedule;
import io.latencylib.pulsar.PulsarLoadDriver;
import io.latencylib.pulsar.embedded.EmbeddedPulsar;
import io.latencylib.report.LatencyReports;
import io.latencylib.report.ReportData;
import io.latencylib.slo.Slo;
import io.latencylib.slo.SloCheck;
import io.latencylib.slo.Verdict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.pulsar.client.api.SubscriptionType;

/**
 * The Pulsar quickstart: starts a real Pulsar standalone (in a child JVM: this JVM has only the
 * application's shaded pulsar-client), puts paced load on it through wrapped producers and consumers,
 * and prints where the time went, stage by stage, with an SLO verdict. Arguments: [messages per
 * second, default 5000] [seconds, default 20]. A broker of your own: {@code -Dlatency.pulsar.serviceUrl=pulsar://host:6650}
 * (and {@code -Dlatency.pulsar.adminUrl=http://host:8080}). Writes nothing outside {@code target/}.
 *
 * <pre>
 * ./mvnw -q -B -pl samples -am package -DskipTests exec:exec -Dexec.mainClass=io.latencylib.samples.pulsar.PulsarQuickstart
 * </pre>
 */
public final class PulsarQuickstart {

    private static final List<Slo> SLOS = Slo.parseAll("p99 < 50ms", "lost == 0");

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String given = System.getProperty("latency.pulsar.serviceUrl", System.getenv("LATENCY_PULSAR_SERVICE_URL"));
        EmbeddedPulsar pulsar = null;
        String serviceUrl;
        String adminUrl;
        if (given != null && !given.isBlank()) {
            serviceUrl = given;
            adminUrl = System.getProperty("latency.pulsar.adminUrl", given.replaceFirst("^pulsar://", "http://")
                    .replaceFirst(":\\d+.*$", ":8080"));
        } else {
            System.out.printf(Locale.ROOT, "Starting a Pulsar standalone (broker, bookie, metadata store; child JVM)...%n");
            long t0 = System.nanoTime();
            pulsar = EmbeddedPulsar.builder().parentDirectory(Path.of("target"))
                    .jvmOptions(List.of("-Xmx1g")).start();
            System.out.printf(Locale.ROOT, "started in %.1f s at %s%n", (System.nanoTime() - t0) / 1e9, pulsar.serviceUrl());
            serviceUrl = pulsar.serviceUrl();
            adminUrl = pulsar.httpUrl();
        }
        try {
            System.out.printf(Locale.ROOT, "Paced load: %,d msg/s of 1 KiB for %d s (after a 2 s warm-up), 3 partitions,"
                    + " batching on (1 ms), 2 consumers on a Shared subscription...%n", rate, seconds);
            PulsarLoadDriver driver = PulsarLoadDriver.builder(serviceUrl).adminUrl(adminUrl).partitions(3)
                    .batching(true).subscriptionType(SubscriptionType.Shared).build();
            LoadReport report = LoadRun.builder(driver)
                    .destination("quickstart-" + System.currentTimeMillis())
                    .schedule(Schedule.constant(rate, Duration.ofSeconds(seconds)))
                    .warmUp(Duration.ofSeconds(2))
                    .messageSize(1024).consumers(2)
                    .progressListener(p -> System.out.println("  " + p))
                    .run();
            System.out.println();
            System.out.print(report.toTable());
            double deviation = Math.abs(report.achievedRate() - rate) / rate * 100;
            System.out.printf(Locale.ROOT, "%nachieved rate %.1f msg/s: %.2f%% from the target (%s)%n",
                    report.achievedRate(), deviation, deviation <= 1 ? "within 1%" : "NOT within 1%");
            List<Verdict> verdicts = SloCheck.evaluate(SLOS, report.report());
            for (Verdict verdict : verdicts) {
                System.out.printf(Locale.ROOT, "SLO %s: %s (measured %s)%n", verdict.slo(),
                        verdict.passed() ? "PASS" : "FAIL", verdict.measuredText());
                if (!verdict.passed()) {
                    System.out.println(verdict.message());
                }
            }
            ReportData data = ReportData.of(report).withVerdicts(verdicts);
            Path json = Path.of("target", "latency-reports", "pulsar-quickstart.json");
            Path html = json.resolveSibling("pulsar-quickstart.html");
            LatencyReports.writeJson(data, json);
            LatencyReports.writeHtml(data, html);
            System.out.printf(Locale.ROOT, "%nReports: %s, %s%n", json.toAbsolutePath(), html.toAbsolutePath());
        } finally {
            if (pulsar != null) {
                pulsar.close();
            }
        }
    }
}
