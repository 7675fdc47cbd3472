package io.latencylib.bench;

import io.latencylib.load.Messages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An OpenMessaging Benchmark workload file, read unchanged (the fields of OMB's {@code Workload} class).
 * A key this runner does not know, or a value it cannot honour, is an error naming the key: nothing is
 * silently ignored.
 */
record Workload(Path file, String name, int topics, int partitionsPerTopic, String keyDistributor, int messageSize,
                byte[] payload, int subscriptionsPerTopic, int producersPerTopic, int consumerPerSubscription,
                double producerRate, Duration testDuration, Duration warmupDuration) {

    /** Every key of OMB's Workload class. */
    static final List<String> KNOWN = List.of("name", "topics", "partitionsPerTopic", "keyDistributor", "messageSize",
            "useRandomizedPayloads", "randomBytesRatio", "randomizedPayloadPoolSize", "payloadFile",
            "subscriptionsPerTopic", "producersPerTopic", "consumerPerSubscription", "producerRate",
            "consumerBacklogSizeGB", "backlogDrainRatio", "testDurationMinutes", "warmupDurationMinutes");

    /** Distinct keys of KEY_ROUND_ROBIN and RANDOM_NANO, as OMB's key distributors have. */
    static final int DISTINCT_KEYS = 10_000;

    static Workload read(Path file) throws IOException {
        YamlFile y = YamlFile.read(file, "workload");
        y.onlyKeys(KNOWN);
        String name = y.string("name", file.getFileName().toString());
        int topics = y.integer("topics", 1);
        if (topics != 1) {
            throw y.unsupported("topics", topics, "this runner drives one topic per run; use a workload with"
                    + " topics: 1 (several topics are several runs)");
        }
        int partitions = y.integer("partitionsPerTopic", 1);
        if (partitions < 1) {
            throw y.unsupported("partitionsPerTopic", partitions, "give at least 1");
        }
        String keys = y.string("keyDistributor", "NO_KEY");
        if (!List.of("NO_KEY", "KEY_ROUND_ROBIN", "RANDOM_NANO").contains(keys)) {
            throw y.unsupported("keyDistributor", keys, "one of NO_KEY, KEY_ROUND_ROBIN, RANDOM_NANO");
        }
        int size = y.integer("messageSize", 1024);
        if (y.bool("useRandomizedPayloads", false)) {
            double ratio = y.number("randomBytesRatio", 0);
            if (ratio != 1.0) {
                throw y.unsupported("randomBytesRatio", ratio, "randomized payloads are supported with"
                        + " randomBytesRatio: 1.0 only (all bytes random); give a payloadFile instead");
            }
        } else {
            y.number("randomBytesRatio", 0);
        }
        y.integer("randomizedPayloadPoolSize", 0); // a pool of random payloads is what the run uses anyway
        byte[] payload = null;
        String payloadFile = y.string("payloadFile", null);
        if (payloadFile != null && !y.bool("useRandomizedPayloads", false)) {
            Path p = resolve(file, payloadFile);
            if (p == null) {
                throw new BenchException(file + ": payloadFile \"" + payloadFile + "\" not found next to the workload,"
                        + " above it, or in the working directory (copy OMB's payload/ directory next to workloads/)");
            }
            payload = Files.readAllBytes(p);
            if (payload.length != size) {
                throw y.unsupported("messageSize", size, "the payloadFile " + payloadFile + " has " + payload.length
                        + " bytes; make them agree");
            }
        }
        int subscriptions = y.integer("subscriptionsPerTopic", 1);
        if (subscriptions > 1) {
            throw y.unsupported("subscriptionsPerTopic", subscriptions, "one subscription (consumer group) per topic"
                    + " is supported, or 0 for a producer-only run");
        }
        int producers = y.integer("producersPerTopic", 1);
        if (producers < 1) {
            throw y.unsupported("producersPerTopic", producers, "give at least 1");
        }
        int consumers = subscriptions == 0 ? 0 : y.integer("consumerPerSubscription", 1);
        double rate = y.number("producerRate", 0);
        if (rate < 0) {
            throw y.unsupported("producerRate", rate, "a rate in msg/s, or 0 to search the max sustainable rate");
        }
        double backlogGb = y.number("consumerBacklogSizeGB", 0);
        if (backlogGb != 0) {
            throw y.unsupported("consumerBacklogSizeGB", backlogGb, "the build-a-backlog-then-drain mode is not"
                    + " implemented; use 0");
        }
        double drain = y.number("backlogDrainRatio", 1.0);
        if (drain != 1.0) {
            throw y.unsupported("backlogDrainRatio", drain, "only meaningful with a backlog; use 1.0");
        }
        double minutes = y.number("testDurationMinutes", 0);
        if (!(minutes > 0)) {
            throw y.unsupported("testDurationMinutes", minutes, "give a positive duration");
        }
        double warmup = y.number("warmupDurationMinutes", 1);
        if (warmup < 0) {
            throw y.unsupported("warmupDurationMinutes", warmup, "give 0 or more");
        }
        return new Workload(file, name, topics, partitions, keys, size, payload, subscriptions, producers, consumers,
                rate, Duration.ofMillis(Math.round(minutes * 60_000)), Duration.ofMillis(Math.round(warmup * 60_000)));
    }

    Messages.Keys keys() {
        return switch (keyDistributor) {
            case "KEY_ROUND_ROBIN" -> Messages.Keys.roundRobin(DISTINCT_KEYS);
            case "RANDOM_NANO" -> Messages.Keys.random(DISTINCT_KEYS, 1);
            default -> Messages.Keys.none();
        };
    }

    /** @return a short name for file names: the file's name without .yaml */
    String stem() {
        String f = file.getFileName().toString();
        return f.replaceAll("\\.ya?ml$", "");
    }

    private static Path resolve(Path workload, String payloadFile) {
        Path dir = workload.toAbsolutePath().getParent();
        for (Path base : new Path[] {dir, dir.getParent(), Path.of("").toAbsolutePath()}) {
            if (base != null && Files.isRegularFile(base.resolve(payloadFile))) {
                return base.resolve(payloadFile);
            }
        }
        return null;
    }

    Map<String, Object> describe() {
        return Map.of("name", name, "partitionsPerTopic", partitionsPerTopic, "messageSize", messageSize);
    }
}
