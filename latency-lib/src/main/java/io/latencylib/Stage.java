package io.latencylib;

/**
 * The five consecutive stages of end-to-end latency, as defined in the latency model.
 *
 * <p>Boundaries: produce = send → dispatch, publish = dispatch → append, commit = append →
 * min(ack, receive), catch-up = commit → consumer ready, fetch = ready → receive.
 */
public enum Stage {
    /** From the application calling send until the request carrying the message leaves the client. */
    PRODUCE("produce", "linger.ms, batch.size, compression, max.in.flight.requests.per.connection reached, "
            + "full buffer.memory, Pulsar batchingMaxPublishDelay, AMQP flow control"),
    /** From the request leaving the client until the broker appended / accepted the message. */
    PUBLISH("publish", "network, broker request queues, broker CPU/disk load; a slow acks=all request "
            + "holds its connection, so requests behind it queue here"),
    /** From the append on the leader until the message is replicated and readable (acks=all answer). */
    COMMIT("commit", "replication factor, slow or distant followers, BookKeeper ack quorum, quorum queues"),
    /** From commit until the consuming application is free to take the message. */
    CATCH_UP("catch-up", "a consumer that falls behind: slow processing, too few consumers, rebalances"),
    /** From the consuming application asking for the message until it is returned to it. */
    FETCH("fetch", "fetch.min.bytes / fetch.max.wait.ms, receiver queue, prefetch, network");

    private final String label;
    private final String usualCauses;

    Stage(String label, String usualCauses) {
        this.label = label;
        this.usualCauses = usualCauses;
    }

    /** @return the lower-case name used in reports and SLO expressions, e.g. {@code catch-up} */
    public String label() {
        return label;
    }

    /** @return what usually makes this stage grow (the latency model's table) */
    public String usualCauses() {
        return usualCauses;
    }
}
