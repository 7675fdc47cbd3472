package io.latencylib.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The join table of one producer: a ring of slots indexed by sequence number, holding the
 * producer-side and consumer-side instants of each message until both halves are there.
 *
 * <p>Each slot has a state word {@code sequence << SHIFT | flags}, changed only by CAS, and ten
 * plain {@code long} fields written before the CAS that publishes them. Whoever's CAS makes both
 * the {@link #ACKED} and {@link #RECEIVED} flags true computes the split; no locks, no allocation.
 * A ledger is "local" when the producer runs in this process; a "remote" ledger only remembers
 * which of the last {@link #REMOTE_WINDOW} sequences were received (to detect duplicates) and how far
 * each partition had got (a sequence below that, no longer in the window, was seen before).
 *
 * <p>Memory: a local ledger holds {@code capacity × }{@value #LOCAL_SLOT_BYTES} bytes plus 64 KiB for the
 * dispatch estimator; a remote one about {@value #REMOTE_BYTES} bytes, whatever the traffic.
 */
public final class Ledger {

    public static final long ABSENT = Long.MIN_VALUE;

    static final int SENT = 1, ACKED = 2, RECEIVED = 4, DONE = 8, EVICTED = 16, FAILED = 32, LOST = 64,
            ABORTED = 128, RETURNED = 256;
    static final int SHIFT = 9;
    /** A slot no longer waits for anything. */
    static final int FINISHED = DONE | EVICTED | FAILED | ABORTED | RETURNED;

    static final int STRIDE = 10;
    static final int F_SEND = 0, F_INTENDED = 1, F_SEND_RETURN = 2, F_DISPATCH = 3, F_ACK = 4, F_COMMIT = 5,
            F_FREE_SINCE = 6, F_RECEIVE = 7, F_APPEND_MS = 8, F_REQUEST = 9;
    /** Bytes per slot of a local ledger: the fields and the state word. */
    public static final int LOCAL_SLOT_BYTES = (STRIDE + 1) * 8;
    /** Sequences a remote ledger remembers exactly, and the partitions it follows. */
    static final int REMOTE_WINDOW = 1024, REMOTE_LANES = 64, LOCAL_LANES = 1024;
    /** Bytes a remote ledger holds: its window, its partition marks and the object headers. */
    public static final int REMOTE_BYTES = REMOTE_WINDOW * 8 + REMOTE_LANES * 8 + 256;

    /** How an acknowledgement relates to the one before it (see ProducerProbe). */
    public static final int NEW_REQUEST = 0, SAME_REQUEST = 1, SAME_BATCH = 2;
    private static final int REQUESTS = 4096;

    final long producerId;
    final boolean local;
    final int mask;
    final long[] data;
    final AtomicLongArray state;
    final AtomicLong nextSequence = new AtomicLong();
    /** Per lane (partition), one past the highest sequence received; 0 when none. Fixed size: lanes beyond are not followed. */
    final AtomicLongArray nextSequenceByLane;
    volatile long lastActivityMicros;
    /** First sequence of the open transaction, or -1 when none is open. */
    volatile long transactionStart = -1;
    /** Set when the application closed the producer: the ledger goes once nothing waits in it. */
    volatile long closedAtMicros = ABSENT;

    // Producer traits (local ledgers only).
    final String system;
    final boolean ackMarksCommit;
    final long lingerMicros;
    final int batchMaxBytes;

    final int maxInFlight;

    // Dispatch estimator state per lane (partition): touched only by the thread delivering acknowledgements.
    private long[] runFirstSend = new long[0];
    private long[] runMaxSendReturn = new long[0];
    private long[] runBytes = new long[0];
    private long[] runCount = new long[0];
    /** Acknowledgement instants of the last {@code maxInFlight} batches per lane, a ring. */
    private long[] batchAcks = new long[0];
    /** Request (the batches acknowledged together) the last batch of each lane belonged to. */
    private long[] laneRequest = new long[0];
    /** Per request, a ring: the latest lower bound and the earliest readiness among its batches. */
    private final long[] requestLower;
    private final long[] requestReady;
    private long requestCount;
    /** The request of the acknowledgement last estimated; stored in its slot. */
    long lastRequest;

    /** A local ledger: a producer of this process. */
    Ledger(long producerId, int capacity, String system, boolean ackMarksCommit, long lingerMicros, int batchMaxBytes,
           int maxInFlight) {
        this(producerId, true, capacity, system, ackMarksCommit, lingerMicros, batchMaxBytes, maxInFlight);
    }

    /** A remote ledger: a producer heard of only through the messages it sent. */
    Ledger(long producerId) {
        this(producerId, false, REMOTE_WINDOW, null, false, 0, 0, 1);
    }

    private Ledger(long producerId, boolean local, int capacity, String system, boolean ackMarksCommit,
                   long lingerMicros, int batchMaxBytes, int maxInFlight) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.producerId = producerId;
        this.local = local;
        this.mask = capacity - 1;
        this.data = local ? new long[capacity * STRIDE] : null;
        this.state = new AtomicLongArray(capacity);
        this.nextSequenceByLane = new AtomicLongArray(local ? LOCAL_LANES : REMOTE_LANES);
        this.system = system;
        this.ackMarksCommit = ackMarksCommit;
        this.lingerMicros = lingerMicros;
        this.batchMaxBytes = batchMaxBytes;
        this.maxInFlight = Math.max(1, maxInFlight);
        this.requestLower = local ? new long[REQUESTS] : null;
        this.requestReady = local ? new long[REQUESTS] : null;
    }

    static long sequenceOf(long stateWord) {
        return stateWord >>> SHIFT;
    }

    /** @return true when this is a local ledger whose slot still holds {@code sequence}, sent at {@code sendMicros} */
    boolean holds(long sequence, long sendMicros) {
        if (!local) {
            return false;
        }
        int idx = slot(sequence);
        long s = state.get(idx);
        return sequenceOf(s) == sequence && (s & SENT) != 0 && data[idx * STRIDE + F_SEND] == sendMicros;
    }

    /** @return true when a sequence no longer in the window is below what its lane already received: seen before */
    boolean seenBefore(int lane, long sequence) {
        return lane >= 0 && lane < nextSequenceByLane.length() && sequence < nextSequenceByLane.get(lane);
    }

    /**
     * Notes that {@code sequence} arrived on {@code lane}.
     *
     * @return true when it arrived after a later sequence of the same lane (reordered)
     */
    boolean arrived(int lane, long sequence) {
        if (lane < 0 || lane >= nextSequenceByLane.length()) {
            return false;
        }
        // one consumer reads a partition at a time (a consumer group assigns it to one member): a plain
        // maximum suffices; a rare race between two readers can only leave the mark a little low
        if (sequence < nextSequenceByLane.get(lane)) {
            return true;
        }
        nextSequenceByLane.lazySet(lane, sequence + 1);
        return false;
    }

    int slot(long sequence) {
        return (int) (sequence & mask);
    }

    /**
     * Estimates when the batch holding this message left the client, from the facts of the latency
     * model: it cannot leave before send() returned for the records in it; it is ready at most the
     * linger after its first record, or when it is full; and it cannot leave while the client has
     * the maximum number of requests in flight, i.e. before the batch {@code maxInFlight} batches
     * earlier on the same lane was acknowledged. Never after its own acknowledgement.
     */
    long estimateDispatch(int lane, long send, long sendReturn, long ack, int relation, int recordBytes) {
        if (lane < 0) {
            lane = 0;
        }
        if (lane >= runCount.length) {
            growLanes(lane);
        }
        long returned = sendReturn == ABSENT ? send : sendReturn;
        if (relation != SAME_BATCH || runCount[lane] == 0) {
            // a new batch; a request holds at most one batch per lane
            if (relation == NEW_REQUEST || laneRequest[lane] == requestCount || requestCount == 0) {
                int r = (int) (++requestCount % REQUESTS);
                requestLower[r] = Long.MIN_VALUE;
                requestReady[r] = Long.MAX_VALUE;
            }
            laneRequest[lane] = requestCount;
            long k = runCount[lane]++;
            int ring = lane * maxInFlight + (int) (k % maxInFlight);
            long inFlightBound = k >= maxInFlight ? batchAcks[ring] : ABSENT;
            batchAcks[ring] = ack;
            runFirstSend[lane] = send;
            runMaxSendReturn[lane] = Math.max(returned, inFlightBound);
            runBytes[lane] = 0;
        } else {
            runFirstSend[lane] = Math.min(runFirstSend[lane], send);
            runMaxSendReturn[lane] = Math.max(runMaxSendReturn[lane], returned);
        }
        runBytes[lane] += Math.max(0, recordBytes);
        boolean full = recordBytes > 0 && runBytes[lane] + recordBytes > batchMaxBytes;
        long lower = runMaxSendReturn[lane];
        long ready = full ? lower : runFirstSend[lane] + lingerMicros;
        int r = (int) (requestCount % REQUESTS);
        requestLower[r] = Math.max(requestLower[r], lower);
        requestReady[r] = Math.min(requestReady[r], ready);
        lastRequest = requestCount;
        return Math.min(Math.max(lower, ready), ack);
    }

    /**
     * The dispatch of the request that carried a message: it left when the first of its batches
     * was ready (the client sends every batch it holds for a broker once one is ready), and not
     * before the latest lower bound of any of them. Falls back to the per-batch estimate when the
     * request has left the ring.
     */
    long requestDispatch(long request, long batchEstimate, long ack) {
        if (request <= 0 || requestCount - request >= REQUESTS - 1) {
            return batchEstimate;
        }
        int r = (int) (request % REQUESTS);
        long lower = requestLower[r];
        long ready = requestReady[r];
        if (lower == Long.MIN_VALUE || ready == Long.MAX_VALUE) {
            return batchEstimate;
        }
        return Math.min(Math.max(lower, ready), ack);
    }

    private void growLanes(int lane) {
        int n = Math.max(lane + 1, runCount.length * 2);
        runFirstSend = java.util.Arrays.copyOf(runFirstSend, n);
        runMaxSendReturn = java.util.Arrays.copyOf(runMaxSendReturn, n);
        runBytes = java.util.Arrays.copyOf(runBytes, n);
        runCount = java.util.Arrays.copyOf(runCount, n);
        batchAcks = java.util.Arrays.copyOf(batchAcks, n * maxInFlight);
        laneRequest = java.util.Arrays.copyOf(laneRequest, n);
    }
}
