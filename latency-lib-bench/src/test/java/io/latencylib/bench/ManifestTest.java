package io.latencylib.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Kubernetes Indexed Job the runner prints: structure, the index variable, T0, resources. */
class ManifestTest {

    @Test
    @SuppressWarnings("unchecked")
    void printsAnIndexedJobOfNWorkers() {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = BenchCli.execute("manifest", "--workers", "3", "--image", "registry.example/latency-bench:0.1",
                    "--t0", "2026-12-07T10:00:00Z", "--cpu", "1500m", "--memory", "3Gi", "--duration", "1m",
                    "--rate", "30000", "-d", "examples/driver-kafka/kafka-latency.yaml",
                    "examples/workloads/1-topic-1-partition-1kb.yaml");
        } finally {
            System.setOut(saved);
        }
        assertThat(code).isZero();
        Map<String, Object> job = (Map<String, Object>) YamlFile.parse(buf.toString(StandardCharsets.UTF_8));
        assertThat(job).containsEntry("apiVersion", "batch/v1").containsEntry("kind", "Job");
        Map<String, Object> spec = (Map<String, Object>) job.get("spec");
        assertThat(spec).containsEntry("completionMode", "Indexed").containsEntry("completions", 3)
                .containsEntry("parallelism", 3).containsEntry("backoffLimit", 0);
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        assertThat(pod).containsEntry("restartPolicy", "Never");
        List<Map<String, Object>> containers = (List<Map<String, Object>>) pod.get("containers");
        assertThat(containers).hasSize(1);
        Map<String, Object> c = containers.get(0);
        assertThat(c).containsEntry("image", "registry.example/latency-bench:0.1");
        assertThat((List<String>) c.get("args")).containsExactly("worker", "-d", "/config/kafka-latency.yaml", "-o",
                "/results", "--duration", "PT1M", "--rate", "30000.0", "/config/1-topic-1-partition-1kb.yaml");
        List<Map<String, Object>> env = (List<Map<String, Object>>) c.get("env");
        assertThat(env).contains(Map.of("name", Workers.ENV_COUNT, "value", "3"),
                Map.of("name", Workers.ENV_T0, "value", "2026-12-07T10:00:00Z"));
        // the index is Kubernetes' own JOB_COMPLETION_INDEX, which the worker reads: it is not set in the manifest
        assertThat(env).noneMatch(e -> Workers.ENV_INDEX.equals(e.get("name")));
        assertThat(Workers.ENV_INDEX).isEqualTo("JOB_COMPLETION_INDEX");
        Map<String, Object> resources = (Map<String, Object>) c.get("resources");
        assertThat(resources.get("requests")).isEqualTo(Map.of("cpu", "1500m", "memory", "3Gi"));
        assertThat(resources.get("limits")).isEqualTo(Map.of("cpu", "1500m", "memory", "3Gi"));
        List<Map<String, Object>> volumes = (List<Map<String, Object>>) pod.get("volumes");
        assertThat(volumes).extracting(v -> v.get("name")).containsExactly("config", "results");
        assertThat(((Map<String, Object>) volumes.get(1).get("persistentVolumeClaim")).get("claimName"))
                .isEqualTo("latency-bench-results");
    }
}
