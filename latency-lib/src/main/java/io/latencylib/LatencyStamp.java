package io.latencylib;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The stamp a wrapped producer attaches to every message, in a header of its own named {@link #HEADER}.
 *
 * <p>Wire format, version 2, 34 bytes, big-endian:
 * <pre>
 *  offset size field
 *       0    1 version (2)
 *       1    1 flags: bit 0 = paced (sent by a load schedule that had an intended instant)
 *       2    8 producer id (random per producer instance; a restarted producer has a new id)
 *      10    8 sequence number (per producer, from 0)
 *      18    8 send instant, microseconds since the epoch
 *      26    4 lateness: send − intended, microseconds, when paced (saturates at 2^31−1)
 *      30    4 check: a hash of bytes 0..29, so that random bytes are not taken for a stamp
 * </pre>
 * Version 1 (the same first 30 bytes, no check field) is still read. Decoding never throws:
 * {@link #isValid(byte[])} says whether a header value is a stamp this version understands; anything
 * else (absent, truncated, another version, a failed check, garbage) is foreign. A value that passes
 * is still only believed when its send instant is plausible where it is received (the recorder checks).
 */
public final class LatencyStamp {

    /** Name of the header (Kafka, RabbitMQ) or message property (Pulsar) carrying the stamp. */
    public static final String HEADER = "latency-stamp";
    /** The version this library writes. */
    public static final byte VERSION = 2;
    /** Length in bytes of the stamps this library writes. */
    public static final int LENGTH = 34;
    /** The previous version, still read: 30 bytes without the check field. */
    public static final byte VERSION_1 = 1;
    /** Length in bytes of a version-1 stamp. */
    public static final int LENGTH_1 = 30;
    /** Value of an intended instant for traffic that was not paced. */
    public static final long NOT_PACED = Long.MIN_VALUE;
    private static final byte PACED = 1;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private LatencyStamp() {
    }

    /**
     * Encodes a stamp.
     *
     * @param producerId     the producer's id
     * @param sequence       the message's sequence number within that producer
     * @param sendMicros     when the application called send
     * @param intendedMicros when a pacing schedule wanted the send to start, or {@link #NOT_PACED}
     * @return a new {@value #LENGTH}-byte array
     */
    public static byte[] encode(long producerId, long sequence, long sendMicros, long intendedMicros) {
        byte[] b = new byte[LENGTH];
        b[0] = VERSION;
        LONG.set(b, 2, producerId);
        LONG.set(b, 10, sequence);
        LONG.set(b, 18, sendMicros);
        int flags = 0, lateness = 0;
        if (intendedMicros != NOT_PACED) {
            flags = PACED;
            lateness = (int) Math.max(0, Math.min(Integer.MAX_VALUE, sendMicros - intendedMicros));
            b[1] = PACED;
            INT.set(b, 26, lateness);
        }
        // the check from the values in hand: no read back of the bytes just written
        INT.set(b, 30, check(VERSION, flags, producerId, sequence, sendMicros, lateness));
        return b;
    }

    /** A 32-bit hash of bytes 0..29: each field times its own odd constant, summed, then folded. */
    private static int check(int version, int flags, long producerId, long sequence, long sendMicros, int lateness) {
        long h = producerId * 0x9E3779B97F4A7C15L
                + sequence * 0xBF58476D1CE4E5B9L
                + sendMicros * 0x94D049BB133111EBL
                + ((lateness & 0xffffffffL) << 16 ^ (version & 0xffL) << 8 ^ (flags & 0xffL)) * 0xD6E8FEB86659FD93L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ h >>> 32);
    }

    /**
     * @return true when {@code value} is a complete stamp of a version this library reads: version 2 with a
     *     matching check, or version 1 (which has no check: its send instant must prove it plausible)
     */
    public static boolean isValid(byte[] value) {
        if (value == null) {
            return false;
        }
        if (value.length == LENGTH) {
            return value[0] == VERSION && (int) INT.get(value, 30) == check(value[0], value[1], (long) LONG.get(value, 2),
                    (long) LONG.get(value, 10), (long) LONG.get(value, 18), (int) INT.get(value, 26));
        }
        return value.length == LENGTH_1 && value[0] == VERSION_1;
    }

    /** @return the producer id of a valid stamp */
    public static long producerId(byte[] stamp) {
        return (long) LONG.get(stamp, 2);
    }

    /** @return the sequence number of a valid stamp */
    public static long sequence(byte[] stamp) {
        return (long) LONG.get(stamp, 10);
    }

    /** @return the send instant of a valid stamp, microseconds since the epoch */
    public static long sendMicros(byte[] stamp) {
        return (long) LONG.get(stamp, 18);
    }

    /** @return the intended send instant of a valid stamp, or {@link #NOT_PACED} */
    public static long intendedMicros(byte[] stamp) {
        return (stamp[1] & PACED) == 0 ? NOT_PACED : sendMicros(stamp) - (int) INT.get(stamp, 26);
    }
}
