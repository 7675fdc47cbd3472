package io.latencylib.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/**
 * The keys, sizes and payloads of the messages a {@link LoadRun} sends. Payloads are made once,
 * before the run, and reused: sending allocates nothing for them.
 */
public final class Messages {

    private Messages() {
    }

    /** Which key each message gets. */
    @FunctionalInterface
    public interface Keys {
        /** @return the key of message {@code index} (0-based, over the whole run), or null */
        byte[] key(long index);

        /** @return no keys (the client spreads messages by its own partitioner) */
        static Keys none() {
            return i -> null;
        }

        /** @return {@code distinct} keys taken in turn */
        static Keys roundRobin(int distinct) {
            byte[][] keys = keys(distinct);
            return i -> keys[(int) (i % distinct)];
        }

        /** @return one of {@code distinct} keys at random (seeded, reproducible) */
        static Keys random(int distinct, long seed) {
            byte[][] keys = keys(distinct);
            long salt = seed * 0x9E3779B97F4A7C15L;
            return i -> keys[(int) Math.floorMod(mix(i ^ salt), (long) distinct)];
        }

        /** @return keys from a function of the message index */
        static Keys from(LongFunction<byte[]> function) {
            Objects.requireNonNull(function, "function");
            return function::apply;
        }

        /** The SplitMix64 finalizer: a well-spread hash of a long. */
        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        private static byte[][] keys(int distinct) {
            if (distinct <= 0) {
                throw new IllegalArgumentException("the number of distinct keys must be positive: " + distinct);
            }
            byte[][] keys = new byte[distinct][];
            for (int i = 0; i < distinct; i++) {
                keys[i] = ("key-" + i).getBytes(StandardCharsets.UTF_8);
            }
            return keys;
        }
    }

    /** What payloads contain. */
    public enum Payload {
        /** Random bytes: what compression cannot shrink. */
        RANDOM,
        /** Text-like bytes that compress about 4:1. */
        COMPRESSIBLE
    }

    /** A pool of payloads made ahead of the run, with the sizes of a discrete size distribution. */
    static final class PayloadPool {
        private final byte[][] payloads;

        PayloadPool(int[] sizes, Payload kind, byte[] userPayload, long seed) {
            if (userPayload != null) {
                payloads = new byte[][] {userPayload};
                return;
            }
            SplittableRandom random = new SplittableRandom(seed);
            payloads = new byte[Math.max(sizes.length, 16)][];
            for (int i = 0; i < payloads.length; i++) {
                payloads[i] = make(sizes[i % sizes.length], kind, random);
            }
        }

        /** @return the payload of message {@code index} */
        byte[] payload(long index) {
            return payloads[(int) Math.floorMod(index * 0x9E3779B97F4A7C15L >>> 17, payloads.length)];
        }

        private static byte[] make(int size, Payload kind, SplittableRandom random) {
            byte[] b = new byte[size];
            if (kind == Payload.RANDOM) {
                random.nextBytes(b);
            } else {
                byte[] words = "latency stage produce publish commit catch-up fetch broker partition offset "
                        .getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < size; i++) {
                    b[i] = random.nextInt(8) == 0 ? (byte) ('a' + random.nextInt(26)) : words[i % words.length];
                }
            }
            return b;
        }

        @Override
        public String toString() {
            return "sizes " + Arrays.stream(payloads).mapToInt(p -> p.length).distinct().sorted().boxed().toList();
        }
    }
}
