package io.latencylib.internal;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyStamp;
import io.latencylib.MessageLatency;
import io.latencylib.spi.RecordingListener;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the producer-side and consumer-side halves of each stamped message in the producers'
 * {@link Ledger}s, has {@link Split} split it, and records the stages and {@link Counters}.
 *
 * <p>Hot paths ({@link #beginSend}, {@link #acked}, {@link #received}) take no locks and allocate
 * nothing but the stamp bytes; registering a producer, meeting a new remote producer or reading a
 * snapshot may lock.
 *
 * <p>Memory is bounded whatever arrives: local ledgers cost {@code joinCapacity × }{@value Ledger#LOCAL_SLOT_BYTES}
 * bytes each and go when their producer is closed and nothing waits in them; remote producers share a
 * fixed budget of {@code remoteProducerMemory} bytes (messages of a producer that finds no room are
 * counted untracked: recorded, but without duplicate detection); at most {@value #MAX_LANES} partitions
 * are told apart, {@value #MAX_NOTES} notes and {@value #MAX_SYSTEMS} system names kept.
 */
public final class JoinEngine {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib");
    static final long ABSENT = Ledger.ABSENT;

    /** Extra histograms besides the 15 boundary segments. */
    public static final int H_END_TO_END_INTENDED = 36, H_PRODUCER = 37, H_LATENESS = 38, H_COUNT = 39;
    /** Highest value the histograms track: one hour in microseconds; larger values saturate. */
    public static final long HIGHEST_MICROS = 3_600_000_000L;
    public static final int SIGNIFICANT_DIGITS = 3;
    static final int MAX_LANES = 1024, MAX_NOTES = 64, MAX_SYSTEMS = 16;

    private static final ThreadLocal<Split> SPLIT = ThreadLocal.withInitial(Split::new);

    final LatencyClock clock;
    private final int capacity;
    private final long evictAfterMicros;
    private final long maxClockOffsetMicros;
    private final int maxRemoteLedgers;
    private final Consumer<MessageLatency> messageListener;
    /** No consumer half will come: a message's slot is freed at its acknowledgement. */
    private final boolean producerOnly;
    private volatile RecordingListener[] listeners = new RecordingListener[0];

    private final Object registryLock = new Object();
    private volatile Ledger[] ledgerTable = new Ledger[64];
    private int ledgerCount;
    private int remoteCount;
    /** Before this instant no remote ledger can be idle long enough to give up its room. */
    private long nextIdleRemoteMicros = Long.MIN_VALUE;

    private final HistogramGroup histograms = new HistogramGroup(H_COUNT, HIGHEST_MICROS, SIGNIFICANT_DIGITS);
    private final Counters counters = new Counters();
    /** Bounds on (broker clock − client clock) implied by the data, microseconds. */
    private final AtomicLong offsetLowerMicros = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong offsetUpperMicros = new AtomicLong(Long.MAX_VALUE);
    private final Set<String> notes = ConcurrentHashMap.newKeySet();
    private final Set<String> systems = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<Object, Integer> lanes = new ConcurrentHashMap<>();
    /** Messages intended (or, when not paced, sent) before this instant are joined but neither counted nor recorded. */
    private volatile long measureFromMicros = Long.MIN_VALUE;

    /**
     * @param capacity             join slots per local producer, a power of two
     * @param evictAfterMicros     how long a half waits for the other; also the oldest plausible send instant
     * @param maxClockOffsetMicros how far in the future of the receiver's clock a send instant may lie
     * @param remoteMemoryBytes    the memory remote producers may take together
     */
    public JoinEngine(LatencyClock clock, int capacity, long evictAfterMicros, long maxClockOffsetMicros,
                      long remoteMemoryBytes, Consumer<MessageLatency> messageListener, boolean producerOnly) {
        this.clock = clock;
        this.producerOnly = producerOnly;
        this.capacity = capacity;
        this.evictAfterMicros = evictAfterMicros;
        this.maxClockOffsetMicros = maxClockOffsetMicros;
        this.maxRemoteLedgers = (int) Math.min(Integer.MAX_VALUE / 4, remoteMemoryBytes / Ledger.REMOTE_BYTES);
        this.messageListener = messageListener;
    }

    /** The broker flagged a delivery as a redelivery. */
    public void redelivered() {
        counters.redelivered.increment();
    }

    public Counters counters() {
        return counters;
    }

    // ---------------------------------------------------------------- registry

    /** Registers a producer running in this process and returns its ledger. */
    public Ledger registerProducer(String system, boolean ackMarksCommit, long lingerMicros, int batchMaxBytes,
                                   int maxInFlight) {
        system(system);
        while (true) {
            long id = ThreadLocalRandom.current().nextLong();
            synchronized (registryLock) {
                if (find(id) == null) {
                    Ledger ledger = new Ledger(id, capacity, system, ackMarksCommit, lingerMicros, batchMaxBytes,
                            maxInFlight);
                    insert(ledger);
                    return ledger;
                }
            }
        }
    }

    /** The application closed the producer: its ledger goes once nothing waits in it (or after the eviction time). */
    public void producerClosed(Ledger ledger) {
        ledger.closedAtMicros = clock.nowMicros();
    }

    /** Names a system measured (a producer's or consumer's), for the report. */
    public void system(String name) {
        if (name != null && systems.size() < MAX_SYSTEMS) {
            systems.add(name);
        }
    }

    public Set<String> systems() {
        return systems;
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

    /** @return the remote ledger of {@code producerId}, or null when the budget has no room for it */
    private Ledger remoteLedger(long producerId, long now) {
        synchronized (registryLock) {
            Ledger l = find(producerId);
            if (l != null) {
                return l;
            }
            if (remoteCount >= maxRemoteLedgers) {
                if (now < nextIdleRemoteMicros) {
                    return null;
                }
                rebuild(x -> x.local || now - x.lastActivityMicros < evictAfterMicros);
                if (remoteCount >= maxRemoteLedgers) {
                    long oldest = Long.MAX_VALUE;
                    for (Ledger x : ledgerTable) {
                        if (x != null && !x.local) {
                            oldest = Math.min(oldest, x.lastActivityMicros);
                        }
                    }
                    nextIdleRemoteMicros = oldest + evictAfterMicros;
                    return null;
                }
            }
            l = new Ledger(producerId);
            l.lastActivityMicros = now;
            insert(l);
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
        if (!ledger.local) {
            remoteCount++;
        }
        ledgerTable = copy;
    }

    /** Keeps the ledgers {@code keep} accepts; under the registry lock. */
    private void rebuild(java.util.function.Predicate<Ledger> keep) {
        Ledger[] table = ledgerTable;
        Ledger[] copy = new Ledger[table.length];
        int count = 0, remote = 0;
        for (Ledger l : table) {
            if (l != null && keep.test(l)) {
                put(copy, l);
                count++;
                remote += l.local ? 0 : 1;
            }
        }
        ledgerCount = count;
        remoteCount = remote;
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

    /**
     * @return a dense index for a partition-like key (e.g. a Kafka TopicPartition), stable for this engine, or
     *     -1 beyond {@value #MAX_LANES} keys (such partitions are not told apart for ordering)
     */
    public int lane(Object key) {
        Integer lane = lanes.get(key);
        if (lane != null) {
            return lane;
        }
        if (lanes.size() >= MAX_LANES) {
            return -1;
        }
        synchronized (lanes) {
            return lanes.computeIfAbsent(key, k -> lanes.size());
        }
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

    private boolean measured(byte[] stamp) {
        return measured(LatencyStamp.sendMicros(stamp), LatencyStamp.intendedMicros(stamp));
    }

    public void note(String text) {
        if (notes.size() < MAX_NOTES && notes.add(text)) {
            log.warn(text);
        }
    }

    // ---------------------------------------------------------------- producer side

    /** Claims the next sequence, fills its slot and returns the stamp bytes. */
    public byte[] beginSend(Ledger l, long sendMicros, long intendedMicros) {
        long seq = l.nextSequence.getAndIncrement();
        int idx = l.slot(seq);
        long old = l.state.get(idx);
        while (old != 0 && (old & Ledger.FINISHED) == 0) {
            if ((old & (Ledger.ACKED | Ledger.RECEIVED)) == (Ledger.ACKED | Ledger.RECEIVED)) {
                Thread.onSpinWait(); // another thread is reading this slot to record its split
                old = l.state.get(idx);
            } else if (l.state.compareAndSet(idx, old, old | Ledger.EVICTED)) {
                counters.evicted.increment();
                counters.overflowed.increment();
                if ((old & Ledger.RECEIVED) != 0) {
                    recordReceivedHalf(l, idx, Ledger.sequenceOf(old)); // received, its ack still to come: keep the receipt
                }
                if (counters.overflowed.sum() == 1) {
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
        d[base + Ledger.F_COMMIT] = ABSENT;
        d[base + Ledger.F_FREE_SINCE] = ABSENT;
        d[base + Ledger.F_RECEIVE] = ABSENT;
        d[base + Ledger.F_APPEND_MS] = ABSENT;
        // a release store publishes the fields above to whoever reads the state (a volatile read) and sees SENT;
        // nothing after it needs the full fence of a volatile store
        l.state.setRelease(idx, seq << Ledger.SHIFT | Ledger.SENT);
        if (measured(sendMicros, intendedMicros)) {
            counters.sent.increment();
            if (intendedMicros != ABSENT) {
                histograms.recordOne(H_LATENESS, sendMicros - intendedMicros);
            }
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
     * the client exposes it, or {@link Ledger#ABSENT} to have it estimated from batches. Counted (and its
     * producer latency recorded) from the stamp, whatever happened to its slot.
     */
    public void acked(Ledger l, byte[] stamp, long ackMicros, long dispatchMicros, int lane, int relation,
                      int recordBytes) {
        long seq = LatencyStamp.sequence(stamp);
        long send = LatencyStamp.sendMicros(stamp);
        if (ackMicros != ABSENT && measured(stamp)) {
            counters.acked.increment();
            histograms.recordOne(H_PRODUCER, ackMicros - send);
            for (RecordingListener listener : listeners) {
                listener.onAcknowledgement(send, ackMicros);
            }
        }
        int idx = l.slot(seq);
        long s = l.state.get(idx);
        if (Ledger.sequenceOf(s) != seq || (s & Ledger.SENT) == 0 || (s & Ledger.FINISHED) != 0) {
            return; // slot reused (this message was evicted), or nothing to join (returned, aborted, failed)
        }
        int base = idx * Ledger.STRIDE;
        long[] d = l.data;
        if (ackMicros == ABSENT) {
            d[base + Ledger.F_DISPATCH] = dispatchMicros; // exact or absent; the acknowledgement is not observed
        } else {
            if (dispatchMicros != ABSENT) {
                d[base + Ledger.F_DISPATCH] = dispatchMicros;
                d[base + Ledger.F_REQUEST] = 0;
            } else {
                d[base + Ledger.F_DISPATCH] = l.estimateDispatch(lane, send, d[base + Ledger.F_SEND_RETURN], ackMicros,
                        relation, recordBytes);
                d[base + Ledger.F_REQUEST] = l.lastRequest;
            }
            d[base + Ledger.F_ACK] = ackMicros;
            long open = l.transactionStart;
            if (open >= 0 && seq >= open) {
                return; // in an open transaction: its commit ends the commit stage (transactionCommitted)
            }
            d[base + Ledger.F_COMMIT] = ackMicros;
        }
        addFlag(l, idx, seq, Ledger.ACKED, null);
    }

    /** The send failed; counted once per message however often the client reports it. */
    public void failed(Ledger l, byte[] stamp) {
        long seq = LatencyStamp.sequence(stamp);
        boolean counted = measured(stamp);
        int idx = l.slot(seq);
        while (true) {
            long s = l.state.get(idx);
            if (Ledger.sequenceOf(s) != seq) {
                if (counted) {
                    counters.sendErrors.increment(); // its slot was reused: nothing to tell a repeat by
                }
                return;
            }
            if ((s & (Ledger.FAILED | Ledger.ACKED | Ledger.RECEIVED | Ledger.FINISHED)) != 0) {
                return;
            }
            if (l.state.compareAndSet(idx, s, s | Ledger.FAILED)) {
                if (counted) {
                    counters.sendErrors.increment();
                }
                return;
            }
        }
    }

    /** The broker returned the message unroutable: counted returned, never lost. */
    public void returned(Ledger l, byte[] stamp) {
        long seq = LatencyStamp.sequence(stamp);
        if (finish(l, seq, Ledger.RETURNED) && measured(stamp)) {
            counters.returned.increment();
        }
    }

    /** Sets {@code flag} on a slot still waiting; @return true when this call set it. */
    private boolean finish(Ledger l, long seq, int flag) {
        int idx = l.slot(seq);
        while (true) {
            long s = l.state.get(idx);
            if (Ledger.sequenceOf(s) != seq || (s & Ledger.FINISHED) != 0) {
                return false;
            }
            if (l.state.compareAndSet(idx, s, s | flag)) {
                return true;
            }
        }
    }

    /** The producer began a transaction: messages sent from now on are in it. */
    public void transactionBegan(Ledger l) {
        l.transactionStart = l.nextSequence.get();
    }

    /** The open transaction committed at {@code micros}: the commit stage of its messages ends there. */
    public void transactionCommitted(Ledger l, long micros) {
        long start = l.transactionStart;
        if (start < 0) {
            return;
        }
        long end = l.nextSequence.get();
        l.transactionStart = -1;
        note("a transactional producer's commit stage ends when commitTransaction returns; a read_uncommitted"
                + " consumer may get a message earlier, and then commit ends at its receive");
        for (long seq = Math.max(start, end - capacity); seq < end; seq++) {
            int idx = l.slot(seq);
            long s = l.state.get(idx);
            if (Ledger.sequenceOf(s) == seq && (s & Ledger.FINISHED) == 0 && (s & Ledger.ACKED) == 0) {
                l.data[idx * Ledger.STRIDE + Ledger.F_COMMIT] = micros;
                addFlag(l, idx, seq, Ledger.ACKED, null);
            }
        }
    }

    /** The open transaction aborted: its messages are counted aborted, never lost, and recorded nowhere. */
    public void transactionAborted(Ledger l) {
        long start = l.transactionStart;
        if (start < 0) {
            return;
        }
        long end = l.nextSequence.get();
        l.transactionStart = -1;
        for (long seq = Math.max(start, end - capacity); seq < end; seq++) {
            int idx = l.slot(seq);
            if (finish(l, seq, Ledger.ABORTED)) {
                int base = idx * Ledger.STRIDE;
                if (measured(l.data[base + Ledger.F_SEND], l.data[base + Ledger.F_INTENDED])) {
                    counters.aborted.increment();
                }
            }
        }
    }

    // ---------------------------------------------------------------- consumer side

    /**
     * A message reached the consuming application.
     *
     * @param busy the consumer's time line (its busy time splits catch-up from fetch), or null when unknown
     * @return false when {@code stamp} is not a valid stamp (counted unstamped) or not a plausible one
     *     (counted implausible); such values are recorded nowhere
     */
    public boolean received(byte[] stamp, int lane, long appendMillis, long receiveMicros, BusyClock busy) {
        if (stamp == null || stamp.length != LatencyStamp.LENGTH && stamp.length != LatencyStamp.LENGTH_1) {
            counters.unstamped.increment();
            return false;
        }
        long send = LatencyStamp.sendMicros(stamp);
        long producerId = LatencyStamp.producerId(stamp);
        long seq = LatencyStamp.sequence(stamp);
        Ledger l = find(producerId);
        // a producer of this process still holding the message (its 64-bit id, sequence and send instant) proves
        // the stamp, however late it comes; any other value must pass the check and be plausible
        if (l == null || !l.holds(seq, send)) {
            if (!LatencyStamp.isValid(stamp)) {
                counters.unstamped.increment();
                return false;
            }
            if (send < receiveMicros - evictAfterMicros - maxClockOffsetMicros
                    || send > receiveMicros + maxClockOffsetMicros) {
                counters.implausible.increment();
                return false;
            }
        }
        boolean counted = measured(send, LatencyStamp.intendedMicros(stamp));
        if (counted) {
            counters.received.increment();
        }
        if (l == null) {
            l = remoteLedger(producerId, receiveMicros);
        }
        if (l == null) {
            if (counted) {
                counters.untracked.increment();
                counters.unjoined.increment();
            }
            recordUnjoined(stamp, appendMillis, receiveMicros, busy);
            return true;
        }
        if (l.local) {
            receivedLocal(l, stamp, seq, lane, appendMillis, receiveMicros, busy, counted);
        } else {
            l.lastActivityMicros = receiveMicros; // only remote ledgers go when idle: no store per local message
            receivedRemote(l, stamp, seq, lane, appendMillis, receiveMicros, busy, counted);
        }
        return true;
    }

    private void receivedLocal(Ledger l, byte[] stamp, long seq, int lane, long appendMillis, long receive,
                               BusyClock busy, boolean counted) {
        int idx = l.slot(seq);
        long s = l.state.get(idx);
        if (Ledger.sequenceOf(s) != seq || (s & Ledger.SENT) == 0) {
            // its producer half is gone (the slot was reused): seen before, or new to this consumer
            if (l.seenBefore(lane, seq)) {
                if (counted) {
                    counters.duplicated.increment();
                }
                return;
            }
            l.arrived(lane, seq);
            if (counted) {
                counters.unjoined.increment();
            }
            recordUnjoined(stamp, appendMillis, receive, busy);
            return;
        }
        if ((s & Ledger.RECEIVED) != 0) {
            if (counted) {
                counters.duplicated.increment();
            }
            return;
        }
        if (l.arrived(lane, seq) && counted) {
            counters.reordered.increment();
        }
        int base = idx * Ledger.STRIDE;
        // needed only when the split will be completed on another thread (no acknowledgement yet)
        l.data[base + Ledger.F_FREE_SINCE] = busy != null && (s & Ledger.ACKED) == 0
                ? busy.freeSinceBefore(receive) : ABSENT;
        l.data[base + Ledger.F_RECEIVE] = receive;
        l.data[base + Ledger.F_APPEND_MS] = appendMillis;
        if (!addFlag(l, idx, seq, Ledger.RECEIVED, busy)) {
            // a newer message took the slot meanwhile (the table overflowed): recorded on its stamp alone
            if (counted) {
                counters.unjoined.increment();
            }
            recordUnjoined(stamp, appendMillis, receive, busy);
        }
    }

    private void receivedRemote(Ledger l, byte[] stamp, long seq, int lane, long appendMillis, long receive,
                                BusyClock busy, boolean counted) {
        int idx = l.slot(seq);
        while (true) {
            long s = l.state.get(idx);
            long slotSeq = Ledger.sequenceOf(s);
            if (s != 0 && slotSeq == seq || s != 0 && slotSeq > seq && l.seenBefore(lane, seq)) {
                if (counted) {
                    counters.duplicated.increment();
                }
                return;
            }
            if (s != 0 && slotSeq > seq) {
                break; // older than the window and not known on its lane: record it
            }
            if (l.state.compareAndSet(idx, s, seq << Ledger.SHIFT | Ledger.RECEIVED)) {
                break;
            }
        }
        if (l.arrived(lane, seq) && counted) {
            counters.reordered.increment();
        }
        if (counted) {
            counters.unjoined.increment();
        }
        recordUnjoined(stamp, appendMillis, receive, busy);
    }

    private void recordUnjoined(byte[] stamp, long appendMillis, long receive, BusyClock busy) {
        long send = LatencyStamp.sendMicros(stamp);
        long intended = LatencyStamp.intendedMicros(stamp);
        if (measured(send, intended)) {
            record(scratch(busy).compute(send, ABSENT, appendMillis, ABSENT, receive, busy, ABSENT), intended,
                    LatencyStamp.producerId(stamp), LatencyStamp.sequence(stamp));
        }
    }

    /**
     * Records the consumer half of a slot given up before its acknowledgement came (evicted by age, or its slot
     * taken by a newer message when the table overflowed): unjoined, split without the producer's instants.
     * Called by the thread that set {@code EVICTED}, before the slot is written again.
     */
    private void recordReceivedHalf(Ledger l, int idx, long seq) {
        long[] d = l.data;
        int base = idx * Ledger.STRIDE;
        long send = d[base + Ledger.F_SEND];
        long intended = d[base + Ledger.F_INTENDED];
        if (!measured(send, intended)) {
            return;
        }
        counters.unjoined.increment();
        record(SPLIT.get().compute(send, ABSENT, d[base + Ledger.F_APPEND_MS], ABSENT, d[base + Ledger.F_RECEIVE], null,
                d[base + Ledger.F_FREE_SINCE]), intended, l.producerId, seq);
    }

    // ---------------------------------------------------------------- joining

    /** Sets {@code flag} and completes the split when both halves are in; @return false when the slot was reused */
    private boolean addFlag(Ledger l, int idx, long seq, int flag, BusyClock busy) {
        while (true) {
            long s = l.state.get(idx);
            // given up without being counted lost (its slot is being taken): the caller records what it has
            if (Ledger.sequenceOf(s) != seq || (s & (Ledger.EVICTED | Ledger.LOST)) == Ledger.EVICTED) {
                return false;
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
                        counters.lost.decrement(); // it came after all
                    }
                    complete(l, idx, seq, busy);
                    // release: the reads of the slot in complete() stay before the store that frees it
                    l.state.setRelease(idx, next | Ledger.DONE);
                }
                return true;
            }
        }
    }

    private void complete(Ledger l, int idx, long seq, BusyClock busy) {
        int base = idx * Ledger.STRIDE;
        long[] d = l.data;
        long send = d[base + Ledger.F_SEND];
        long intended = d[base + Ledger.F_INTENDED];
        if (!measured(send, intended)) {
            return;
        }
        counters.joined.increment();
        long ack = d[base + Ledger.F_ACK];
        long dispatch = ack == ABSENT ? d[base + Ledger.F_DISPATCH]
                : l.requestDispatch(d[base + Ledger.F_REQUEST], d[base + Ledger.F_DISPATCH], ack);
        long commit = l.ackMarksCommit ? d[base + Ledger.F_COMMIT] : ABSENT;
        long freeSince = busy != null ? ABSENT : d[base + Ledger.F_FREE_SINCE];
        long appendMillis = d[base + Ledger.F_APPEND_MS];
        long receive = d[base + Ledger.F_RECEIVE];
        Split split = scratch(busy).compute(send, dispatch, appendMillis, commit, receive, busy, freeSince);
        if (ack != ABSENT && appendMillis != ABSENT) {
            // the producer's ack (not a later transaction commit) bounds the broker clock tightest
            split.offsetLower = Math.max(split.offsetLower, appendMillis * 1000 - Math.min(ack, receive));
        }
        record(split, intended, l.producerId, seq);
    }

    /** @return a split to compute into: the consumer's own on its thread, else this thread's */
    private static Split scratch(BusyClock busy) {
        return busy != null ? busy.split : SPLIT.get();
    }

    /** Records one message's split: its stages, end-to-end, clamps and the clock-offset bounds it implies. */
    private void record(Split split, long intended, long producerId, long seq) {
        long[] b = split.b;
        if (split.clamped) {
            for (int i = 1; i <= 5; i++) {
                if (split.clampMicros[i] > 0) {
                    counters.clamped(i, split.clampMicros[i]);
                }
            }
        }
        if (split.approximated) {
            counters.approximated.increment();
        }
        if (split.offsetLower != ABSENT) {
            if (split.offsetLower > offsetLowerMicros.get()) {
                offsetLowerMicros.accumulateAndGet(split.offsetLower, Math::max); // rarely: only when the bound moves
            }
            if (split.offsetUpper < offsetUpperMicros.get()) {
                offsetUpperMicros.accumulateAndGet(split.offsetUpper, Math::min);
            }
        }
        // record each segment between consecutive observed boundaries
        long token = histograms.begin();
        int side = histograms.side();
        int from = Split.B_SEND;
        for (int to = 1; to <= 5; to++) {
            if (b[to] != ABSENT) {
                histograms.record(side, from * 6 + to, b[to] - b[from]);
                from = to;
            }
        }
        histograms.record(side, 0, b[5] - b[0]); // index 0 (segment 0->0) holds end-to-end
        if (intended != ABSENT) {
            histograms.record(side, H_END_TO_END_INTENDED, b[5] - intended);
        }
        histograms.end(token);
        for (RecordingListener listener : listeners) {
            listener.onMessage(b[0], b[1], b[2], b[3], b[4], b[5], intended);
        }
        if (messageListener != null) {
            messageListener.accept(new MessageLatency(producerId, seq, intended, b.clone()));
        }
    }

    // ---------------------------------------------------------------- histograms and housekeeping

    /** Moves what was recorded since the last call into {@code cumulative} (index → histogram). */
    public void drainInto(Histogram[] cumulative) {
        histograms.drainInto(cumulative);
    }

    /**
     * Evicts halves older than the eviction time: acknowledged messages never received count as lost;
     * received messages whose acknowledgement never came are recorded without it. Drops the ledgers of
     * closed producers once nothing waits in them, and remote ledgers idle longer than the eviction time.
     */
    public void evictStale() {
        long now = clock.nowMicros();
        boolean drop = false;
        for (Ledger l : ledgerTable) {
            if (l == null) {
                continue;
            }
            if (!l.local) {
                drop |= now - l.lastActivityMicros >= evictAfterMicros;
                continue;
            }
            boolean waiting = false;
            for (int idx = 0; idx <= l.mask; idx++) {
                long s = l.state.get(idx);
                if (s == 0 || (s & Ledger.FINISHED) != 0) {
                    continue;
                }
                int base = idx * Ledger.STRIDE;
                long seq = Ledger.sequenceOf(s);
                boolean ackedOnly = (s & (Ledger.ACKED | Ledger.RECEIVED)) == Ledger.ACKED;
                boolean receivedOnly = (s & (Ledger.ACKED | Ledger.RECEIVED)) == Ledger.RECEIVED;
                long since = receivedOnly ? l.data[base + Ledger.F_RECEIVE] : l.data[base + Ledger.F_SEND];
                if (since == ABSENT || now - since < evictAfterMicros) {
                    waiting = true;
                    continue;
                }
                boolean counted = measured(l.data[base + Ledger.F_SEND], l.data[base + Ledger.F_INTENDED]);
                if (l.state.compareAndSet(idx, s, s | Ledger.EVICTED | (ackedOnly && counted ? Ledger.LOST : 0))) {
                    if (!counted) {
                        continue;
                    }
                    counters.evicted.increment();
                    if (ackedOnly) {
                        counters.lost.increment();
                    } else if (receivedOnly) {
                        recordReceivedHalf(l, idx, seq);
                    }
                }
            }
            long closed = l.closedAtMicros;
            drop |= closed != ABSENT && (!waiting || now - closed >= evictAfterMicros);
        }
        if (drop) {
            synchronized (registryLock) {
                rebuild(l -> l.local ? l.closedAtMicros == ABSENT || hasWaiting(l) && now - l.closedAtMicros
                        < evictAfterMicros : now - l.lastActivityMicros < evictAfterMicros);
            }
        }
    }

    private static boolean hasWaiting(Ledger l) {
        for (int idx = 0; idx <= l.mask; idx++) {
            long s = l.state.get(idx);
            if (s != 0 && (s & Ledger.FINISHED) == 0) {
                return true;
            }
        }
        return false;
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
                if (s != 0 && (s & (Ledger.FINISHED | Ledger.RECEIVED)) == 0) {
                    n++;
                }
            }
        }
        return n;
    }

    /** @return the bounds on (broker clock − client clock) the data implies, or null when none were seen */
    public long[] clockOffsetBounds() {
        long lower = offsetLowerMicros.get();
        return lower == Long.MIN_VALUE ? null : new long[] {lower, offsetUpperMicros.get()};
    }

    public void resetClockOffsetBounds() {
        offsetLowerMicros.set(Long.MIN_VALUE);
        offsetUpperMicros.set(Long.MAX_VALUE);
    }

    /** @return the notes, in no particular order */
    public List<String> noteList() {
        return List.copyOf(notes);
    }
}
