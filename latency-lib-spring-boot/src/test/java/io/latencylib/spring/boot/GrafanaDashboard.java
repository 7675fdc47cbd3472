package io.latencylib.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The dashboard's queries, checked against a real Prometheus scrape. */
final class GrafanaDashboard {

    static final Path FILE = Path.of("grafana/latency-dashboard.json");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)\\}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*(\\w+)\\s*\\)");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|ignoring|on)\\s*\\(([^)]*)\\)");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? \\S+.*$", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private GrafanaDashboard() {
    }

    /** Every query of the dashboard: the panels' expressions and the template variables' queries. */
    static List<String> queries() throws IOException {
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(FILE));
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                queries.add(target.get("expr").asString());
            }
        }
        for (JsonNode variable : dashboard.get("templating").get("list")) {
            if (variable.get("type").asString().equals("query")) {
                queries.add(variable.get("query").get("query").asString());
            }
        }
        return queries;
    }

    /** Series of a Prometheus text scrape: metric name → the label sets of its samples. */
    static Map<String, List<Map<String, String>>> series(String scrape) {
        Map<String, List<Map<String, String>>> series = new HashMap<>();
        Matcher m = SAMPLE.matcher(scrape);
        while (m.find()) {
            Map<String, String> labels = new HashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            series.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(labels);
        }
        return series;
    }

    /**
     * Every metric a query names is a series of the scrape; every label it matches, groups by or asks
     * values of is a label of those series; every literal value it matches (each alternative of a plain
     * {@code a|b} regex) is a value some series has.
     */
    static void assertEveryQueryMatches(String scrape) throws IOException {
        Map<String, List<Map<String, String>>> series = series(scrape);
        List<String> queries = queries();
        assertThat(queries).hasSizeGreaterThanOrEqualTo(10);
        for (String query : queries) {
            Set<String> metrics = new HashSet<>();
            Matcher s = SELECTOR.matcher(query);
            while (s.find()) {
                String metric = s.group(1);
                assertThat(series).as("query %s names %s, not in the scrape", query, metric).containsKey(metric);
                metrics.add(metric);
                Matcher matcher = MATCHER.matcher(s.group(2));
                while (matcher.find()) {
                    String label = matcher.group(1);
                    String value = matcher.group(3);
                    assertThat(series.get(metric)).as("%s: label %s of %s", query, label, metric)
                            .anySatisfy(l -> assertThat(l).containsKey(label));
                    if (!value.contains("$") && value.matches("[\\w|.\\- ]+")) {
                        for (String alternative : value.split("\\|")) {
                            assertThat(series.get(metric)).as("%s: %s=\"%s\" of %s", query, label, alternative, metric)
                                    .anySatisfy(l -> assertThat(l).containsEntry(label, alternative));
                        }
                    }
                }
            }
            Matcher lv = LABEL_VALUES.matcher(query);
            while (lv.find()) {
                assertThat(series).as("query %s names %s", query, lv.group(1)).containsKey(lv.group(1));
                String label = lv.group(2);
                assertThat(series.get(lv.group(1))).as("%s: label %s", query, label)
                        .anySatisfy(l -> assertThat(l).containsKey(label));
                metrics.add(lv.group(1));
            }
            assertThat(metrics).as("query %s names a metric", query).isNotEmpty();
            // any other token that looks like one of the library's metric names must be a label of them
            Set<String> labels = new HashSet<>();
            metrics.forEach(m -> series.get(m).forEach(l -> labels.addAll(l.keySet())));
            Matcher g = GROUPING.matcher(query);
            while (g.find()) {
                for (String label : g.group(1).split(",")) {
                    if (!label.isBlank()) {
                        assertThat(labels).as("%s groups by %s", query, label.trim()).contains(label.trim());
                    }
                }
            }
            Matcher token = Pattern.compile("\\bmessaging_[a-zA-Z0-9_]*").matcher(query);
            while (token.find()) {
                assertThat(metrics.contains(token.group()) || labels.contains(token.group()))
                        .as("%s: %s is neither a scraped metric nor one of its labels", query, token.group()).isTrue();
            }
        }
    }
}
