package io.latencylib;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The five consecutive stages of end-to-end latency, as defined in the latency model.
 *
 * <p>Boundaries: produce = send → dispatch, publish = dispatch → append, commit = append →
 * min(ack, receive), catch-up = commit → consumer ready, fetch = ready → receive.
 */
public enum Stage {
    /** From the application calling send until the request carrying the message leaves the client. */
    PRODUCE("produce",
            "linger.ms, batch.size, compression, max.in.flight.requests.per.connection reached, full buffer.memory",
            "batchingMaxPublishDelay, batchingMaxMessages / batchingMaxBytes, compression, maxPendingMessages"
                    + " reached (a full pending queue)",
            "AMQP flow control (connection.blocked), channel credit flow (the broker stops reading the connection,"
                    + " so basicPublish waits to write), threads sharing one channel"),
    /** From the request leaving the client until the broker appended / accepted the message. */
    PUBLISH("publish",
            "network, broker request queues (num.network.threads, num.io.threads), broker CPU/disk load, a slow"
                    + " acks=all request holding its connection (the requests behind it queue here)",
            "network, broker CPU load, maxPendingPublishRequestsPerConnection reached, publish rate limits",
            "network, broker CPU (Erlang schedulers), a busy connection or channel process, a connection the"
                    + " broker stopped reading (memory or disk alarm)"),
    /** From the append on the leader until the message is replicated and readable (acks=all answer). */
    COMMIT("commit",
            "replication factor, min.insync.replicas, slow or distant followers",
            "BookKeeper ensemble / write / ack quorum, slow bookies (journal fsync), slow or distant bookies",
            "quorum queues (replication to a majority of members), persistent messages written to disk before the"
                    + " confirm, slow or distant cluster members"),
    /** From commit until the consuming application is free to take the message. */
    CATCH_UP("catch-up",
            "a consumer that falls behind: slow processing, too few consumers or partitions, rebalances",
            "a consumer that falls behind: slow processing, too few consumers (an Exclusive or Failover"
                    + " subscription delivers to one), redeliveries",
            "a consumer that falls behind: slow processing in the delivery handler, too few consumers,"
                    + " redeliveries (nack, requeue)"),
    /** From the consuming application asking for the message until it is returned to it. */
    FETCH("fetch",
            "fetch.min.bytes / fetch.max.wait.ms, max.poll.records, network",
            "receiverQueueSize (a small queue waits for the broker between messages), dispatch rate limits, network",
            "prefetch (basic.qos: a small prefetch waits for acknowledgements before more is sent), network");

    private final String label;
    private final Map<String, String> causes;

    Stage(String label, String kafka, String pulsar, String rabbitmq) {
        this.label = label;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kafka", kafka);
        m.put("pulsar", pulsar);
        m.put("rabbitmq", rabbitmq);
        this.causes = Collections.unmodifiableMap(m);
    }

    /** @return the lower-case name used in reports and SLO expressions, e.g. {@code catch-up} */
    public String label() {
        return label;
    }

    /**
     * @return what usually makes this stage grow on each messaging system the library supports, keyed
     *     by the system's lower-case name ({@code kafka}, {@code pulsar}, {@code rabbitmq}, in this order,
     *     as {@link LatencyReport#systems()} names them): the latency model's table, split by system
     */
    public Map<String, String> usualCausesBySystem() {
        return causes;
    }

    /**
     * @return what usually makes this stage grow, every system's causes labelled by system, e.g.
     *     {@code kafka: linger.ms, ...; pulsar: batchingMaxPublishDelay, ...; rabbitmq: ...}; for the
     *     causes of one system see {@link #usualCausesBySystem()}
     */
    public String usualCauses() {
        return causes.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; "));
    }
}
