package io.latencylib.internal;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyStamp;
import io.latencylib.MessageLatency;
import io.latencylib.spi.RecordingListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the producer-side and consumer-side halves of each stamped message, splits its end-to-end
 * latency into boundaries b0..b5 exactly as the latency model says, and records the stages.
 *
 * <p>Hot paths ({@link #beginSend}, {@link #acked}, {@link #received}) take no locks and allocate
 * nothing but the stamp bytes; registering a producer or reading a snapshot may lock.
 */
public final class JoinEngine {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib");
    static final long ABSENT = Ledger.ABSENT;

    /** Boundary indices b0..b5. */
    public static final int B_SEND = 0, B_DISPATCH = 1, B_APPEND = 2, B_COMMIT = 3, B_READY = 4, B_RECEIVE = 5;
    /** Extra histograms besides the 15 boundary segments. */
    public static final int H_END_TO_END_INTENDED = 36, H_PRODUCER = 37, H_LATENESS = 38, H_COUNT = 39;
    /** Highest value the histograms track: one hour in microseconds; larger values saturate. */
    public static final long HIGHEST_MICROS = 3_600_000_000L;
    public static final int SIGNIFICANT_DIGITS = 3;
    private static final int MAX_REMOTE_LEDGERS = 4096;

    final LatencyClock clock;
    private final int capacity;
    private final long evictAfterMicros;
    private final Consumer<MessageLatency> messageListener;
    /** No consumer half will come: a message's slot is freed at its acknowledgement. */
    private final boolean producerOnly;
    private volatile RecordingListener[] listeners = new RecordingListener[0];

    private final Object registryLock = new Object();
    private volatile Ledger[] ledgerTable = new Ledger[64];
    private int ledgerCount;

    private final HistogramGroup histograms = new HistogramGroup(H_COUNT, HIGHEST_MICROS, SIGNIFICANT_DIGITS);

    public final LongAdder sent = new LongAdder();
    public final LongAdder acked = new LongAdder();
    public final LongAdder sendErrors = new LongAdder();
    public final LongAdder received = new LongAdder();
    public final LongAdder joined = new LongAdder();
    public final LongAdder unjoined = new LongAdder();
    public final LongAdder duplicated = new LongAdder();
    public final LongAdder reordered = new LongAdder();
    public final LongAdder unstamped = new LongAdder();
    public final LongAdder lost = new LongAdder();
    public final LongAdder evicted = new LongAdder();
    public final LongAdder overflowed = new LongAdder();
    /** Deliveries the broker flagged as redelivered (counted apart from duplicates). */
    public final LongAdder redelivered = new LongAdder();
    /** Clamps per boundary b1..b5 that moved an instant by more than its resolution, and the largest move. */
    public final LongAdder[] clamps = new LongAdder[6];
    public final AtomicLong[] largestClampMicros = new AtomicLong[6];
    /** Bounds on (broker clock − client clock) implied by the data, microseconds. */
    public final AtomicLong offsetLowerMicros = new AtomicLong(Long.MIN_VALUE);
    public final AtomicLong offsetUpperMicros = new AtomicLong(Long.MAX_VALUE);
    private final Set<String> notes = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<Object, Integer> lanes = new ConcurrentHashMap<>();
    /** Messages intended (or, when not paced, sent) before this instant are joined but neither counted nor recorded. */
    private volatile long measureFromMicros = Long.MIN_VALUE;

    public JoinEngine(LatencyClock clock, int capacity, long evictAfterMicros, Consumer<MessageLatency> messageListener,
                      boolean producerOnly) {
        this.clock = clock;
        this.producerOnly = producerOnly;
        this.capacity = capacity;
        this.evictAfterMicros = evictAfterMicros;
        this.messageListener = messageListener;
        for (int i = 0; i < clamps.length; i++) {
            clamps[i] = new LongAdder();
            largestClampMicros[i] = new AtomicLong();
        }
    }

    // ---------------------------------------------------------------- registry

    /** Registers a producer running in this process and returns its ledger. */
    public Ledger registerProducer(String system, boolean ackMarksCommit, long lingerMicros, int batchMaxBytes,
                                   int maxInFlight) {
        while (true) {
            long id = ThreadLocalRandom.current().nextLong();
            synchronized (registryLock) {
                if (find(id) == null) {
                    Ledger ledger = new Ledger(id, true, capacity, system, ackMarksCommit, lingerMicros, batchMaxBytes,
                            maxInFlight);
                    insert(ledger);
                    return ledger;
                }
            }
        }
    }

    Ledger find(long producerId) {
        Ledger[] table = ledgerTable;
        int m = table.length - 1;
        for (int i = mix(producerId) & m; ; i = (i + 1) & m) {
            Ledger l = table[i];
            if (l == null || l.producerId == producerId) {
                return l;
            }
        }
    }

    private Ledger remoteLedger(long producerId) {
        Ledger l = find(producerId);
        if (l != null) {
            return l;
        }
        synchronized (registryLock) {
            l = find(producerId);
            if (l == null) {
                if (ledgerCount >= MAX_REMOTE_LEDGERS) {
                    dropIdleRemoteLedgers();
                }
                l = new Ledger(producerId, false, Math.min(capacity, 8192), null, false, 0, 0, 1);
                insert(l);
            }
            return l;
        }
    }

    private void insert(Ledger ledger) {
        Ledger[] table = ledgerTable;
        int size = ledgerCount + 1;
        int length = table.length;
        while (size * 2 > length) {
            length *= 2;
        }
        Ledger[] copy = new Ledger[length];
        for (Ledger l : table) {
            if (l != null) {
                put(copy, l);
            }
        }
        put(copy, ledger);
        ledgerCount = size;
        ledgerTable = copy;
    }

    private void dropIdleRemoteLedgers() {
        long now = clock.nowMicros();
        Ledger[] table = ledgerTable;
        Ledger[] copy = new Ledger[table.length];
        int count = 0;
        for (Ledger l : table) {
            if (l != null && (l.local || now - l.lastActivityMicros < evictAfterMicros)) {
                put(copy, l);
                count++;
            }
        }
        ledgerCount = count;
        ledgerTable = copy;
    }

    private static void put(Ledger[] table, Ledger ledger) {
        int m = table.length - 1;
        int i = mix(ledger.producerId) & m;
        while (table[i] != null) {
            i = (i + 1) & m;
        }
        table[i] = ledger;
    }

    private static int mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return (int) x;
    }

    /** @return a dense index for a partition-like key (e.g. a Kafka TopicPartition), stable for this engine */
    public int lane(Object key) {
        Integer lane = lanes.get(key);
        return lane != null ? lane : lanes.computeIfAbsent(key, k -> lanes.size());
    }

    public synchronized void addListener(RecordingListener listener) {
        RecordingListener[] copy = java.util.Arrays.copyOf(listeners, listeners.length + 1);
        copy[copy.length - 1] = listener;
        listeners = copy;
    }

    public synchronized void removeListener(RecordingListener listener) {
        listeners = java.util.Arrays.stream(listeners).filter(l -> l != listener).toArray(RecordingListener[]::new);
    }

    /** Counts and records only messages intended (or sent) at or after {@code micros}: a warm-up ends there. */
    public void measureFrom(long micros) {
        measureFromMicros = micros;
    }

    private boolean measured(long send, long intended) {
        return (intended != ABSENT ? intended : send) >= measureFromMicros;
    }

    public void note(String text) {
        if (notes.add(text)) {
            log.warn(text);
        }
    }

    public Set<String> notes() {
        return notes;
    }

    // ---------------------------------------------------------------- producer side

    /** Claims the next sequence, fills its slot and returns the stamp bytes. */
    public byte[] beginSend(Ledger l, long sendMicros, long intendedMicros) {
        long seq = l.nextSequence.getAndIncrement();
        int idx = l.slot(seq);
        long old = l.state.get(idx);
        while (old != 0 && (old & (Ledger.DONE | Ledger.EVICTED | Ledger.FAILED)) == 0) {
            if ((old & (Ledger.ACKED | Ledger.RECEIVED)) == (Ledger.ACKED | Ledger.RECEIVED)) {
                Thread.onSpinWait(); // another thread is reading this slot to record its split
                old = l.state.get(idx);
            } else if (l.state.compareAndSet(idx, old, old | Ledger.EVICTED)) {
                evicted.increment();
                overflowed.increment();
                if (overflowed.sum() == 1) {
                    note("join table of a producer overflowed: more than " + capacity + " messages were in flight;"
                            + " raise LatencyRecorder.builder().joinCapacity(...)");
                }
                break;
            } else {
                old = l.state.get(idx);
            }
        }
        int base = idx * Ledger.STRIDE;
        long[] d = l.data;
        d[base + Ledger.F_SEND] = sendMicros;
        d[base + Ledger.F_INTENDED] = intendedMicros;
        d[base + Ledger.F_SEND_RETURN] = ABSENT;
        d[base + Ledger.F_DISPATCH] = ABSENT;
        d[base + Ledger.F_ACK] = ABSENT;
        d[base + Ledger.F_READY] = ABSENT;
        d[base + Ledger.F_RECEIVE] = ABSENT;
        d[base + Ledger.F_APPEND_MS] = ABSENT;
        l.state.set(idx, seq << Ledger.SHIFT | Ledger.SENT);
        if (!measured(sendMicros, intendedMicros)) {
            return LatencyStamp.encode(l.producerId, seq, sendMicros, intendedMicros);
        }
        sent.increment();
        if (intendedMicros != ABSENT) {
            long token = histograms.begin();
            histograms.record(H_LATENESS, sendMicros - intendedMicros);
            histograms.end(token);
        }
        return LatencyStamp.encode(l.producerId, seq, sendMicros, intendedMicros);
    }

    public void sendReturned(Ledger l, long seq, long micros) {
        int idx = l.slot(seq);
        if (Ledger.sequenceOf(l.state.get(idx)) == seq) {
            l.data[idx * Ledger.STRIDE + Ledger.F_SEND_RETURN] = micros;
        }
    }

    /**
     * The broker acknowledged the message ({@code ackMicros} ABSENT: the acknowledgement cannot be
     * observed, join on the consumer half alone). {@code dispatchMicros} is the exact dispatch instant when
     * the client exposes it, or {@link Ledger#ABSENT} to have it estimated from batches.
     */
    public void acked(Ledger l, long seq, long ackMicros, long dispatchMicros, int lane, int relation,
                      int recordBytes) {
        int idx = l.slot(seq);
        long s = l.state.get(idx);
        if (Ledger.sequenceOf(s) != seq || (s & Ledger.SENT) == 0) {
            return; // slot reused: this message was already evicted
        }
        int base = idx * Ledger.STRIDE;
        long[] d = l.data;
        long send = d[base + Ledger.F_SEND];
        if (ackMicros == ABSENT && dispatchMicros != ABSENT) {
            d[base + Ledger.F_DISPATCH] = dispatchMicros; // exact, though the acknowledgement is not observed
        }
        if (ackMicros != ABSENT) {
            if (dispatchMicros != ABSENT) {
                d[base + Ledger.F_DISPATCH] = dispatchMicros;
                d[base + Ledger.F_REQUEST] = 0;
            } else {
                d[base + Ledger.F_DISPATCH] = l.estimateDispatch(lane, send, d[base + Ledger.F_SEND_RETURN], ackMicros,
                        relation, recordBytes);
                d[base + Ledger.F_REQUEST] = l.lastRequest;
            }
            d[base + Ledger.F_ACK] = ackMicros;
            if (measured(send, d[base + Ledger.F_INTENDED])) {
                acked.increment();
                long token = histograms.begin();
                histograms.record(H_PRODUCER, ackMicros - send);
                histograms.end(token);
                for (RecordingListener listener : listeners) {
                    listener.onAcknowledgement(send, ackMicros);
                }
            }
        }
        addFlag(l, idx, seq, Ledger.ACKED);
    }

    public void failed(Ledger l, long seq) {
        int idx = l.slot(seq);
        int base = idx * Ledger.STRIDE;
        if (measured(l.data[base + Ledger.F_SEND], l.data[base + Ledger.F_INTENDED])) {
            sendErrors.increment();
        }
        while (true) {
            long s = l.state.get(idx);
            if (Ledger.sequenceOf(s) != seq || (s & (Ledger.ACKED | Ledger.RECEIVED | Ledger.EVICTED)) != 0) {
                return;
            }
            if (l.state.compareAndSet(idx, s, s | Ledger.FAILED)) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- consumer side

    /**
     * A stamped message reached the consuming application.
     *
     * @return false when {@code stamp} is not a valid stamp (the message was counted as unstamped)
     */
    public boolean received(byte[] stamp, int partition, long appendMillis, long readyMicros, long receiveMicros) {
        if (!LatencyStamp.isValid(stamp)) {
            unstamped.increment();
            return false;
        }
        long producerId = LatencyStamp.producerId(stamp);
        long seq = LatencyStamp.sequence(stamp);
        boolean counted = measured(LatencyStamp.sendMicros(stamp), LatencyStamp.intendedMicros(stamp));
        if (counted) {
            received.increment();
        }
        Ledger l = find(producerId);
        if (l == null) {
            l = remoteLedger(producerId);
        }
        l.lastActivityMicros = receiveMicros;
        if (l.local) {
            receivedLocal(l, stamp, seq, partition, appendMillis, readyMicros, receiveMicros, counted);
        } else {
            receivedRemote(l, stamp, seq, partition, appendMillis, readyMicros, receiveMicros, counted);
        }
        return true;
    }

    private void receivedLocal(Ledger l, byte[] stamp, long seq, int partition, long appendMillis,
                               long ready, long receive, boolean counted) {
        int idx = l.slot(seq);
        long s = l.state.get(idx);
        if (Ledger.sequenceOf(s) != seq || (s & Ledger.SENT) == 0) {
            if (Ledger.sequenceOf(s) < seq) {
                trackOrder(l, partition, seq, counted);
            }
            if (counted) {
                unjoined.increment(); // producer half overwritten (join table overflow)
            }
            split(l.producerId, seq, LatencyStamp.sendMicros(stamp), LatencyStamp.intendedMicros(stamp),
                    ABSENT, appendMillis, ABSENT, ready, receive);
            return;
        }
        if ((s & Ledger.RECEIVED) != 0) {
            if (counted) {
                duplicated.increment();
            }
            return;
        }
        trackOrder(l, partition, seq, counted);
        int base = idx * Ledger.STRIDE;
        l.data[base + Ledger.F_READY] = ready;
        l.data[base + Ledger.F_RECEIVE] = receive;
        l.data[base + Ledger.F_APPEND_MS] = appendMillis;
        addFlag(l, idx, seq, Ledger.RECEIVED);
    }

    private void receivedRemote(Ledger l, byte[] stamp, long seq, int partition, long appendMillis,
                                long ready, long receive, boolean counted) {
        int idx = l.slot(seq);
        while (true) {
            long s = l.state.get(idx);
            long slotSeq = Ledger.sequenceOf(s);
            if (s != 0 && slotSeq == seq) {
                if (counted) {
                    duplicated.increment();
                }
                return;
            }
            if (s != 0 && slotSeq > seq) {
                break; // older than the duplicate-detection window: cannot tell, record it
            }
            if (l.state.compareAndSet(idx, s, seq << Ledger.SHIFT | Ledger.RECEIVED)) {
                break;
            }
        }
        trackOrder(l, partition, seq, counted);
        if (counted) {
            unjoined.increment();
        }
        split(l.producerId, seq, LatencyStamp.sendMicros(stamp), LatencyStamp.intendedMicros(stamp),
                ABSENT, appendMillis, ABSENT, ready, receive);
    }

    private void trackOrder(Ledger l, int partition, long seq, boolean counted) {
        if (partition < 0) {
            return;
        }
        AtomicLongArray last = l.lastSequenceByPartition;
        if (partition >= last.length()) {
            last = growPartitions(l, partition);
        }
        long previous = last.get(partition);
        if (seq + 1 < previous) {
            if (counted) {
                reordered.increment();
            }
        } else {
            last.set(partition, seq + 1);
        }
    }

    private static AtomicLongArray growPartitions(Ledger l, int partition) {
        synchronized (l) {
            AtomicLongArray last = l.lastSequenceByPartition;
            if (partition >= last.length()) {
                AtomicLongArray grown = new AtomicLongArray(Math.max(partition + 1, last.length() * 2));
                for (int i = 0; i < last.length(); i++) {
                    grown.set(i, last.get(i));
                }
                l.lastSequenceByPartition = grown;
                last = grown;
            }
            return last;
        }
    }

    // ---------------------------------------------------------------- joining

    private void addFlag(Ledger l, int idx, long seq, int flag) {
        while (true) {
            long s = l.state.get(idx);
            if (Ledger.sequenceOf(s) != seq) {
                return;
            }
            long next = s | flag;
            if (producerOnly && flag == Ledger.ACKED) {
                next |= Ledger.DONE; // nothing to join: the slot is free again
            }
            boolean completes = (next & (Ledger.ACKED | Ledger.RECEIVED)) == (Ledger.ACKED | Ledger.RECEIVED)
                    && (s & Ledger.DONE) == 0
                    || (flag == Ledger.RECEIVED && (s & Ledger.FAILED) != 0);
            if (l.state.compareAndSet(idx, s, next)) {
                if (completes) {
                    if ((s & Ledger.LOST) != 0) {
                        lost.decrement(); // it came after all
                    }
                    complete(l, idx, seq);
                    l.state.set(idx, next | Ledger.DONE);
                }
                return;
            }
        }
    }

    private void complete(Ledger l, int idx, long seq) {
        int base = idx * Ledger.STRIDE;
        long[] d = l.data;
        if (measured(d[base + Ledger.F_SEND], d[base + Ledger.F_INTENDED])) {
            joined.increment();
        }
        long ack = d[base + Ledger.F_ACK];
        long dispatch = ack == ABSENT ? d[base + Ledger.F_DISPATCH]
                : l.requestDispatch(d[base + Ledger.F_REQUEST], d[base + Ledger.F_DISPATCH], ack);
        split(l.producerId, seq, d[base + Ledger.F_SEND], d[base + Ledger.F_INTENDED], dispatch,
                d[base + Ledger.F_APPEND_MS], l.ackMarksCommit ? ack : ABSENT, d[base + Ledger.F_READY],
                d[base + Ledger.F_RECEIVE]);
    }

    /**
     * The split of the latency model: boundaries made monotone by clamping, so that the stages are
     * never negative and sum exactly to end-to-end. Absent instants merge neighbouring stages.
     */
    void split(long producerId, long seq, long send, long intended, long dispatch, long appendMillis, long ack,
               long ready, long receive) {
        if (!measured(send, intended)) {
            return;
        }
        long b0 = send;
        long b5 = receive;
        if (b5 < b0) {
            clamped(B_RECEIVE, b0 - b5);
            b5 = b0;
        }
        long b1 = ABSENT, b2 = ABSENT, b3 = ABSENT, b4 = ABSENT;
        long prev = b0;
        if (dispatch != ABSENT) {
            // an estimate: it cannot be later than the broker's append (the end of its millisecond window)
            long latest = appendMillis == ABSENT ? b5 : Math.max(b0, Math.min(b5, appendMillis * 1000 + 999));
            b1 = clamp(B_DISPATCH, dispatch, prev, latest, 1);
            prev = b1;
        }
        long commitEnd = ack == ABSENT ? ABSENT : Math.min(ack, b5);
        if (appendMillis != ABSENT) {
            long lo = appendMillis * 1000;
            long hi = lo + 999;
            long upper = commitEnd == ABSENT ? b5 : Math.max(commitEnd, prev);
            long from = Math.max(lo, prev);
            long to = Math.min(hi, upper);
            if (from <= to) {
                b2 = from + (to - from) / 2;
            } else if (hi < prev) {
                b2 = prev;
                clamped(B_APPEND, prev - hi);
            } else {
                b2 = upper;
                clamped(B_APPEND, lo - upper);
            }
            prev = b2;
            long offsetLower = lo - (commitEnd == ABSENT ? receive : commitEnd);
            if (offsetLower > offsetLowerMicros.get()) {
                offsetLowerMicros.accumulateAndGet(offsetLower, Math::max); // rarely: only when the bound moves
            }
            long offsetUpper = hi - send;
            if (offsetUpper < offsetUpperMicros.get()) {
                offsetUpperMicros.accumulateAndGet(offsetUpper, Math::min);
            }
        }
        if (commitEnd != ABSENT) {
            b3 = clamp(B_COMMIT, commitEnd, prev, b5, 1);
            prev = b3;
            if (ready != ABSENT) {
                b4 = Math.min(Math.max(prev, ready), b5);
                prev = b4;
            }
        }
        // record each segment between consecutive observed boundaries
        long token = histograms.begin();
        int from = B_SEND;
        long fromValue = b0;
        for (int to = 1; to <= 5; to++) {
            long v = to == 1 ? b1 : to == 2 ? b2 : to == 3 ? b3 : to == 4 ? b4 : b5;
            if (v != ABSENT) {
                histograms.record(from * 6 + to, v - fromValue);
                from = to;
                fromValue = v;
            }
        }
        histograms.record(0, b5 - b0); // index 0 (segment 0->0) holds end-to-end
        if (intended != ABSENT) {
            histograms.record(H_END_TO_END_INTENDED, b5 - intended);
        }
        histograms.end(token);
        for (RecordingListener listener : listeners) {
            listener.onMessage(b0, b1, b2, b3, b4, b5, intended);
        }
        if (messageListener != null) {
            messageListener.accept(new MessageLatency(producerId, seq, intended, new long[] {b0, b1, b2, b3, b4, b5}));
        }
    }

    private long clamp(int boundary, long value, long min, long max, long resolution) {
        if (value < min) {
            if (min - value > resolution) {
                clamped(boundary, min - value);
            }
            return min;
        }
        if (value > max) {
            if (value - max > resolution) {
                clamped(boundary, value - max);
            }
            return max;
        }
        return value;
    }

    private void clamped(int boundary, long amount) {
        clamps[boundary].increment();
        AtomicLong largest = largestClampMicros[boundary];
        if (amount > largest.get()) {
            largest.accumulateAndGet(amount, Math::max);
        }
    }

    // ---------------------------------------------------------------- histograms

    /** Moves what was recorded since the last call into {@code cumulative} (index → histogram). */
    public void drainInto(Histogram[] cumulative) {
        histograms.drainInto(cumulative);
    }

    /**
     * Evicts halves older than the eviction time: acknowledged messages never received count as lost;
     * received messages whose acknowledgement never came are recorded without it.
     */
    public void evictStale() {
        long now = clock.nowMicros();
        for (Ledger l : ledgerTable) {
            if (l == null || !l.local) {
                continue;
            }
            for (int idx = 0; idx <= l.mask; idx++) {
                long s = l.state.get(idx);
                if (s == 0 || (s & (Ledger.DONE | Ledger.EVICTED | Ledger.FAILED)) != 0) {
                    continue;
                }
                int base = idx * Ledger.STRIDE;
                long seq = Ledger.sequenceOf(s);
                boolean ackedOnly = (s & (Ledger.ACKED | Ledger.RECEIVED)) == Ledger.ACKED;
                boolean receivedOnly = (s & (Ledger.ACKED | Ledger.RECEIVED)) == Ledger.RECEIVED;
                long since = receivedOnly ? l.data[base + Ledger.F_RECEIVE] : l.data[base + Ledger.F_SEND];
                if (since == ABSENT || now - since < evictAfterMicros) {
                    continue;
                }
                boolean counted = measured(l.data[base + Ledger.F_SEND], l.data[base + Ledger.F_INTENDED]);
                if (l.state.compareAndSet(idx, s, s | Ledger.EVICTED | (ackedOnly && counted ? Ledger.LOST : 0))) {
                    if (!counted) {
                        continue;
                    }
                    evicted.increment();
                    if (ackedOnly) {
                        lost.increment();
                    } else if (receivedOnly) {
                        long[] d = l.data;
                        unjoined.increment();
                        split(l.producerId, seq, d[base + Ledger.F_SEND], d[base + Ledger.F_INTENDED], ABSENT,
                                d[base + Ledger.F_APPEND_MS], ABSENT, d[base + Ledger.F_READY],
                                d[base + Ledger.F_RECEIVE]);
                    }
                }
            }
        }
    }

    /** Counts the messages sent but neither received nor given up yet. */
    public long inFlight() {
        long n = 0;
        for (Ledger l : ledgerTable) {
            if (l == null || !l.local) {
                continue;
            }
            for (int idx = 0; idx <= l.mask; idx++) {
                long s = l.state.get(idx);
                if (s != 0 && (s & (Ledger.DONE | Ledger.EVICTED | Ledger.FAILED | Ledger.RECEIVED)) == 0) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Number of values in {@link #counters()}: the Counts fields up to evicted, clamps of b1..b5, redelivered. */
    public static final int COUNTERS = 17;

    /** @return a snapshot of the monotone counters (see {@link #COUNTERS}) */
    public long[] counters() {
        long[] c = {sent.sum(), acked.sum(), sendErrors.sum(), received.sum(), joined.sum(), unjoined.sum(),
                lost.sum(), duplicated.sum(), reordered.sum(), unstamped.sum(), evicted.sum(), 0, 0, 0, 0, 0, 0};
        for (int b = 1; b <= 5; b++) {
            c[10 + b] = clamps[b].sum();
        }
        c[16] = redelivered.sum();
        return c;
    }

    public void resetClockOffsetBounds() {
        offsetLowerMicros.set(Long.MIN_VALUE);
        offsetUpperMicros.set(Long.MAX_VALUE);
    }
}
