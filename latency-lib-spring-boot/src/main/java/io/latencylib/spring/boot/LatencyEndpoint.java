package io.latencylib.spring.boot;

import io.latencylib.LatencyReport;
import io.latencylib.report.LatencyReports;
import io.latencylib.report.ReportData;
import io.latencylib.slo.Verdict;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.actuate.endpoint.Producible;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;

/**
 * Actuator endpoint {@code latency}: the current report of every measured destination, or of one
 * ({@code /actuator/latency/{destination}}), as JSON (the report schema of
 * {@link LatencyReports#toJson(ReportData)}, with the verdicts of {@code latency.slos}) or as text
 * ({@code Accept: text/plain}: the report table, then the verdicts).
 */
@Endpoint(id = "latency")
public class LatencyEndpoint {

    /** The formats the endpoint serves, chosen by the request's {@code Accept} header. */
    public enum Format implements Producible<Format> {
        /** JSON: {@code {"kafka:orders": <report>, ...}}. */
        JSON(MimeTypeUtils.APPLICATION_JSON) {
            @Override
            public boolean isDefault() {
                return true;
            }
        },
        /** Text: each destination's report table. */
        TEXT(MimeTypeUtils.TEXT_PLAIN);

        private final MimeType type;

        Format(MimeType type) {
            this.type = type;
        }

        @Override
        public MimeType getProducedMimeType() {
            return type;
        }
    }

    private final LatencyRecorders recorders;

    public LatencyEndpoint(LatencyRecorders recorders) {
        this.recorders = recorders;
    }

    /** Every destination measured so far, by {@code system:destination}. */
    @ReadOperation(producesFrom = Format.class)
    public WebEndpointResponse<String> reports(Format format) {
        return render(new TreeMap<>(recorders.destinations()), format);
    }

    /** One destination (a topic or queue name; every system that has it). */
    @ReadOperation(producesFrom = Format.class)
    public WebEndpointResponse<String> report(@Selector String destination, Format format) {
        Map<String, LatencyRecorders.Destination> selected = new TreeMap<>();
        recorders.destinations().forEach((key, d) -> {
            if (d.name().equals(destination)) {
                selected.put(key, d);
            }
        });
        if (selected.isEmpty()) {
            return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        return render(selected, format);
    }

    private WebEndpointResponse<String> render(Map<String, LatencyRecorders.Destination> selected, Format format) {
        StringBuilder out = new StringBuilder();
        if (format == Format.TEXT) {
            selected.forEach((key, d) -> {
                LatencyReport report = d.recorder().report();
                out.append("== ").append(key).append('\n').append(report.toTable());
                for (Verdict v : recorders.verdicts(report)) {
                    out.append('\n').append(v);
                }
                out.append("\n\n");
            });
        } else {
            out.append('{');
            selected.forEach((key, d) -> {
                LatencyReport report = d.recorder().report();
                if (out.length() > 1) {
                    out.append(',');
                }
                appendJsonString(out, key);
                out.append(':').append(LatencyReports.toJson(
                        ReportData.of(report).withVerdicts(recorders.verdicts(report))));
            });
            out.append('}');
        }
        return new WebEndpointResponse<>(out.toString(), format);
    }

    private static void appendJsonString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
