package io.latencylib.bench;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of the per-message hot path of the core: the clock read, the stamp encoding, and a
 * whole message cycle (beginSend + acked + received) with the system clock and with a constant clock.
 *
 * <p>Run (see README-bench.md next to this file):
 * <pre>
 * ./mvnw -q -pl latency-lib test-compile exec:exec@bench
 * </pre>
 * runs {@code org.openjdk.jmh.Main io.latencylib.bench.HotPathBenchmark -prof gc} on the test classpath
 * (other JMH arguments: {@code -Djmh.args="..."}). From an IDE, {@link #main} does the same.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
public class HotPathBenchmark {

    /** A wall-clock instant in microseconds (2023-11-14) for the constant clock and the encode benchmark. */
    static final long T0 = 1_700_000_000_000_000L;

    /** A clock that never moves: the cycle without the cost of reading the time. */
    static final class ConstantClock implements LatencyClock {
        private final long micros;

        ConstantClock(long micros) {
            this.micros = micros;
        }

        @Override
        public long nowMicros() {
            return micros;
        }
    }

    @State(Scope.Thread)
    public static class ClockState {
        LatencyClock clock = LatencyClock.system();
    }

    @State(Scope.Thread)
    public static class StampState {
        long producerId = 0x5eed_1234_abcd_0001L;
        long sequence;
        long sendMicros = T0;
    }

    /** A recorder with the default join capacity (32768), one producer and one consumer. */
    @State(Scope.Thread)
    public static class SystemClockCycle {
        LatencyClock clock;
        ProducerProbe producer;
        ConsumerProbe consumer;

        LatencyRecorder.Builder builder() {
            return LatencyRecorder.builder();
        }

        @Setup
        public void setup() {
            LatencyRecorder recorder = builder().build();
            clock = recorder.clock();
            producer = recorder.newProducerProbe("bench", true, Duration.ofMillis(5), 16384, 5);
            consumer = recorder.newConsumerProbe("test");
        }
    }

    /** The same, with a clock that always returns {@link #T0}. */
    @State(Scope.Thread)
    public static class ConstantClockCycle extends SystemClockCycle {
        @Override
        LatencyRecorder.Builder builder() {
            return LatencyRecorder.builder().clock(new ConstantClock(T0));
        }
    }

    /** (1) LatencyClock.system().nowMicros(): Instant.now() and the conversion to microseconds. */
    @Benchmark
    public long clockRead(ClockState s) {
        return s.clock.nowMicros();
    }

    /** (2) LatencyStamp.encode alone: allocates the 34-byte stamp (56 bytes with the array header). */
    @Benchmark
    public byte[] stampEncode(StampState s) {
        return LatencyStamp.encode(s.producerId, s.sequence++, s.sendMicros, s.sendMicros);
    }

    /** (3) One message, send to receive, reading the system clock at send, ack and receive. */
    @Benchmark
    public boolean cycleSystemClock(SystemClockCycle s) {
        return cycle(s);
    }

    /** (4) The same cycle with a constant clock: (3) minus (4) is what the three clock reads cost. */
    @Benchmark
    public boolean cycleConstantClock(ConstantClockCycle s) {
        return cycle(s);
    }

    /**
     * What the broker adapters do per message: the consumer's poll starts, the producer stamps and
     * sends, the broker acknowledges (append time in ms, dispatch estimated from the linger), the poll
     * returns the message. Every message completes, so its join slot is reused 32768 messages later
     * without eviction. The returned value is consumed by JMH's Blackhole.
     */
    private static boolean cycle(SystemClockCycle s) {
        LatencyClock clock = s.clock;
        long send = clock.nowMicros();
        s.consumer.free(send);
        byte[] stamp = s.producer.beginSend(send, LatencyStamp.NOT_PACED);
        long ack = clock.nowMicros();
        s.producer.acked(stamp, ack, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 100);
        long receive = clock.nowMicros();
        boolean stamped = s.consumer.received(stamp, 0, ack / 1000, receive);
        s.consumer.busy(receive);
        return stamped;
    }

    /** Runs this benchmark with the GC profiler, or {@code org.openjdk.jmh.Main} with the given arguments. */
    public static void main(String[] args) throws Exception {
        org.openjdk.jmh.Main.main(args.length > 0 ? args
                : new String[] {HotPathBenchmark.class.getName(), "-prof", "gc"});
    }
}
