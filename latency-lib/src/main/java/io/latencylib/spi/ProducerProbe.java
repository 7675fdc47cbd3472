package io.latencylib.spi;

import io.latencylib.LatencyStamp;
import io.latencylib.internal.JoinEngine;
import io.latencylib.internal.Ledger;
import io.latencylib.internal.ProbeAccess;

/**
 * For broker adapters: the producer side of one wrapped producer. Obtain it from
 * {@code LatencyRecorder.newProducerProbe(...)}. Thread-safe for sends; acknowledgements are
 * expected in the order the client delivers them (one I/O thread per producer, as clients do).
 */
public final class ProducerProbe {

    /** Pass as dispatch instant to have it estimated from batches. */
    public static final long ESTIMATE = Ledger.ABSENT;
    /** The acknowledgement is the first of a response from the broker (a new request). */
    public static final int NEW_REQUEST = Ledger.NEW_REQUEST;
    /** The acknowledgement starts another batch of the same response as the previous one. */
    public static final int SAME_REQUEST = Ledger.SAME_REQUEST;
    /** The acknowledgement is for the same batch as the previous one. */
    public static final int SAME_BATCH = Ledger.SAME_BATCH;

    private final JoinEngine engine;
    private final Ledger ledger;

    static {
        ProbeAccess.register((ProbeAccess.ProducerFactory) ProducerProbe::new);
    }

    /** Made by {@code LatencyRecorder.newProducerProbe(...)}. */
    private ProducerProbe(JoinEngine engine, Ledger ledger) {
        this.engine = engine;
        this.ledger = ledger;
    }

    /**
     * The application called send: claims a sequence number and returns the stamp to attach.
     *
     * @param sendMicros     the send instant (read it first thing in the wrapper)
     * @param intendedMicros when the pacing schedule wanted the send; {@link io.latencylib.LatencyStamp#NOT_PACED}
     *                       for application traffic (see {@link PacedSend#takeIntended()})
     */
    public byte[] beginSend(long sendMicros, long intendedMicros) {
        return engine.beginSend(ledger, sendMicros, intendedMicros);
    }

    /** The client's send call returned (the batch holding the message cannot have left before). */
    public void sendReturned(byte[] stamp, long micros) {
        engine.sendReturned(ledger, LatencyStamp.sequence(stamp), micros);
    }

    /**
     * The broker acknowledged the message.
     *
     * @param dispatchMicros  the exact instant the request left, or {@link #ESTIMATE}
     * @param lane            a small index of the partition the batch went to (0 when there is one)
     * @param relation        {@link #SAME_BATCH} when this acknowledgement is for the same batch as the
     *                        previous one (Kafka: same partition, next offset, acknowledged right after);
     *                        {@link #SAME_REQUEST} when it starts another batch of the same response;
     *                        otherwise {@link #NEW_REQUEST}
     * @param recordBytes     the serialized size of the message, to tell full batches; 0 if unknown
     */
    public void acked(byte[] stamp, long ackMicros, long dispatchMicros, int lane, int relation, int recordBytes) {
        engine.acked(ledger, stamp, ackMicros, dispatchMicros, lane, relation, recordBytes);
    }

    /** The acknowledgement cannot be observed (e.g. an interceptor of an old client): join on the consumer half alone. */
    public void ackNotObservable(byte[] stamp) {
        ackNotObservable(stamp, ESTIMATE);
    }

    /**
     * The acknowledgement cannot be observed (no publisher confirms), but the instant the message left
     * the client is known exactly ({@code dispatchMicros}, or {@link #ESTIMATE} when it is not).
     */
    public void ackNotObservable(byte[] stamp, long dispatchMicros) {
        engine.acked(ledger, stamp, Ledger.ABSENT, dispatchMicros, 0, Ledger.NEW_REQUEST, 0);
    }

    /**
     * The send failed; the message is not expected to arrive and is not counted as lost. Counted once per
     * message, however often the client reports the failure (a send that throws and calls back).
     */
    public void failed(byte[] stamp) {
        engine.failed(ledger, stamp);
    }

    /**
     * The broker returned the message as unroutable (AMQP {@code basic.return} of a mandatory publish):
     * counted returned, never lost; a later confirm of it is counted acknowledged but joins nothing.
     */
    public void returned(byte[] stamp) {
        engine.returned(ledger, stamp);
    }

    /** The producer's {@code beginTransaction()} returned: messages sent from now on belong to the transaction. */
    public void transactionBegan() {
        engine.transactionBegan(ledger);
    }

    /**
     * {@code commitTransaction()} returned at {@code nowMicros}: the commit stage of every message of the
     * transaction ends here (or at the consumer's receive, when a read_uncommitted consumer got it earlier).
     */
    public void transactionCommitted(long nowMicros) {
        engine.transactionCommitted(ledger, nowMicros);
    }

    /** {@code abortTransaction()} returned: the transaction's messages are counted aborted, never lost. */
    public void transactionAborted() {
        engine.transactionAborted(ledger);
    }

    /**
     * The application closed the producer: its join table is released once nothing waits in it (or after the
     * eviction time), so short-lived producers do not accumulate.
     */
    public void close() {
        engine.producerClosed(ledger);
    }
}
