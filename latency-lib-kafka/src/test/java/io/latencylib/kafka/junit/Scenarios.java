package io.latencylib.kafka.junit;

import static io.latencylib.junit.LatencyAssertions.assertThat;

import io.latencylib.junit.LatencySLO;
import io.latencylib.junit.LatencySession;
import io.latencylib.junit.LatencySloExtension;
import io.latencylib.load.LoadReport;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Test classes that use the extension the way users do, run by {@link LatencySloExtensionTest}
 * through the EngineTestKit so that their outcome (a failure is the expected result for some) can be
 * checked. Static nested and {@link KitOnly}: never run by normal discovery.
 */
final class Scenarios {

    /** A slow consumer: it starts polling this long after the first send, so every message waits. */
    static final Duration SLOW = Duration.ofMillis(3000);

    private Scenarios() {
    }

    @KitOnly
    static class Passing {
        @LatencySLO({"p99 < 5s", "lost == 0"})
        @Test
        void roundTrip(KafkaSession kafka) throws Exception {
            Traffic.roundTrip(kafka, 200);
        }
    }

    @KitOnly
    static class Violated {
        @LatencySLO("p99 < 1us")
        @Test
        void roundTrip(KafkaSession kafka) throws Exception {
            Traffic.roundTrip(kafka, 200);
        }
    }

    @KitOnly
    static class MeasuresNothing {
        @LatencySLO("p99 < 50ms")
        @Test
        void sendsNothing() {
        }
    }

    @KitOnly
    static class BadSyntax {
        @LatencySLO("p99 < 50 parsecs")
        @Test
        void neverRuns() {
        }
    }

    @KitOnly
    static class OnAFactory {
        @LatencySLO("p99 < 50ms")
        @TestFactory
        Stream<DynamicTest> factory() {
            return Stream.of(DynamicTest.dynamicTest("dynamic", () -> { }));
        }
    }

    @KitOnly
    @LatencySLO("lost == 0")
    static class Outer {
        @Test
        void outerTest(KafkaSession kafka) throws Exception {
            Traffic.roundTrip(kafka, 100);
        }

        @Nested
        @LatencySLO("p99 < 1us")
        class Inner {
            @Test
            void innerTest(KafkaSession kafka) throws Exception {
                Traffic.roundTrip(kafka, 100);
            }
        }
    }

    @KitOnly
    static class Parameterized {
        @LatencySLO("p99 < 1.5s")
        @ParameterizedTest(name = "consumer delay {0} ms")
        @ValueSource(ints = {0, 3000})
        void consumerDelay(int delayMs, KafkaSession kafka) throws Exception {
            Traffic.roundTrip(kafka, 200, Duration.ofMillis(delayMs));
        }
    }

    @KitOnly
    static class Repeated {
        /** Repetition n sends 100 n messages: each report must count only its own. */
        @LatencySLO("p99 < 1.5s")
        @RepeatedTest(3)
        void repeated(RepetitionInfo info, KafkaSession kafka) throws Exception {
            int n = info.getCurrentRepetition();
            Traffic.roundTrip(kafka, 100 * n, n == 2 ? SLOW : Duration.ZERO);
        }
    }

    @KitOnly
    @Execution(ExecutionMode.CONCURRENT)
    static class Parallel {
        static final CountDownLatch RUNNING = new CountDownLatch(3);

        private static void togetherWithTheOthers() throws InterruptedException {
            RUNNING.countDown();
            if (!RUNNING.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the three tests did not run at the same time");
            }
        }

        private static void trip(KafkaSession kafka, int count) throws Exception {
            togetherWithTheOthers();
            Traffic.roundTrip(kafka, count);
            assertThat(kafka.report()).hasReceived(count);
            assertThat(kafka.report().counts().sent()).isEqualTo(count);
        }

        @LatencySLO({"p99 < 10s", "lost == 0"})
        @Test
        void first(KafkaSession kafka) throws Exception {
            trip(kafka, 100);
        }

        @LatencySLO({"p99 < 10s", "lost == 0"})
        @Test
        void second(KafkaSession kafka) throws Exception {
            trip(kafka, 150);
        }

        @LatencySLO({"p99 < 10s", "lost == 0"})
        @Test
        void third(KafkaSession kafka) throws Exception {
            trip(kafka, 200);
        }
    }

    @KitOnly
    static class PacedLoad {
        @LatencySLO(value = {"p99 < 10s", "lost == 0"}, rate = 400, duration = "2s", warmUp = "500ms", messageSize = 256)
        @Test
        void underLoad(LatencySession session) {
            if (!session.system().equals("kafka")) {
                throw new AssertionError("the session of the only system on the classpath, not " + session.system());
            }
            LoadReport load = session.loadReport().orElseThrow();
            assertThat(load).isDrained().achievedRate().isGreaterThan(200.0);
            assertThat(load.report()).hasNoLoss();
            assertThat(load.report().endToEndFromIntended()).isPresent(); // paced: the corrected figure exists
        }
    }

    @KitOnly
    static class Windowed {
        @LatencySLO("p99 < 5s in every 200ms window")
        @Test
        void roundTrip(KafkaSession kafka) throws Exception {
            Traffic.roundTrip(kafka, 600);
        }
    }

    /** A composed annotation: the team's SLO in one place. */
    @Target({ElementType.METHOD, ElementType.TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @LatencySLO("p99 < 1us")
    @LatencySLO("lost == 0")
    @interface ImpossibleSlo {
    }

    @KitOnly
    static class Composed {
        @ImpossibleSlo
        @Test
        void roundTrip(KafkaSession kafka) throws Exception {
            Traffic.roundTrip(kafka, 100);
        }
    }

    /** No annotation at all: the session resolves only when the extension is auto-detected. */
    @KitOnly
    static class AutoDetected {
        @Test
        void roundTrip(KafkaSession kafka) throws Exception {
            Traffic.roundTrip(kafka, 50);
        }
    }

    /** Registered by @ExtendWith, by @LatencySLO and (in the kit run) by auto-detection: acts once. */
    @KitOnly
    @ExtendWith(LatencySloExtension.class)
    static class RegisteredThrice {
        @LatencySLO("p99 < 5s")
        @Test
        void roundTrip(KafkaSession kafka) throws Exception {
            Traffic.roundTrip(kafka, 50);
        }
    }

    @KitOnly
    static class SameSessionEverywhere {
        static volatile Producer<byte[], byte[]> producerMade;
        private KafkaSession before;

        @BeforeEach
        void setUp(KafkaSession kafka) {
            before = kafka;
        }

        @LatencySLO("lost == 0")
        @Test
        void roundTrip(KafkaSession kafka) throws Exception {
            if (before != kafka) {
                throw new AssertionError("@BeforeEach and the test got different sessions");
            }
            producerMade = kafka.producer();
            Traffic.roundTrip(kafka, 50);
        }
    }

    /**
     * Own traffic with a warm-up: 2 s at 1000/s, of which only what was sent from body start + 1 s on
     * is measured. The body notes the recorder's clock before each send and checks the count exactly.
     */
    @KitOnly
    static class OwnTrafficWarmUp {
        @LatencySLO(value = "lost == 0", warmUp = "1s")
        @Test
        void warmsUpThenMeasures(KafkaSession kafka) throws Exception {
            String topic = kafka.newTopic();
            var consumer = kafka.consumerOf(topic);
            var producer = kafka.producer();
            int count = 2000;
            long[] sentAt = new long[count];
            Future<Integer> received = Traffic.pollUntil(consumer, count, Duration.ZERO);
            Traffic.send(producer, topic, count, 1000, i -> sentAt[i] = kafka.recorder().clock().nowMicros());
            if (received.get(60, TimeUnit.SECONDS) != count) {
                throw new AssertionError("not everything arrived");
            }
            var report = kafka.report();
            long from = report.start().getEpochSecond() * 1_000_000L + report.start().getNano() / 1000;
            long noted = java.util.Arrays.stream(sentAt).filter(t -> t >= from).count();
            long measured = report.counts().sent();
            // each send is stamped just after its instant was noted: the one on the boundary may fall either side
            if (measured < noted || measured > noted + 1 || noted <= 0 || noted >= count) {
                throw new AssertionError("measured " + measured + " sends, " + noted + " were sent from " + report.start());
            }
            assertThat(report).hasReceived(measured).hasNoLoss();
        }
    }

    /**
     * A service-style own-traffic test whose consumer is too slow: it handles a record in 4 ms while
     * 500 a second arrive, so messages wait in the log for it (catch-up) and the SLO fails.
     */
    @KitOnly
    static class SlowConsumer {
        @LatencySLO("p99 < 50ms")
        @Test
        void consumerFallsBehind(KafkaSession kafka) throws Exception {
            String topic = kafka.newTopic();
            var consumer = kafka.consumerOf(topic);
            var producer = kafka.producer();
            Future<Integer> received = Traffic.pollUntil(consumer, 1000, Duration.ofMillis(4));
            Traffic.send(producer, topic, 1000, 500, i -> { });
            if (received.get(60, TimeUnit.SECONDS) != 1000) {
                throw new AssertionError("not everything arrived");
            }
        }
    }

    /** A system that is not on this module's test classpath. */
    @KitOnly
    static class AnotherSystem {
        @LatencySLO(value = "p99 < 50ms", system = "rabbitmq")
        @Test
        void needsRabbit(LatencySession session) {
        }
    }

    /** Two tests alike, in this order, in a run of their own: the first must not pay for the broker or the clients. */
    @KitOnly
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class FirstAndSecond {
        @LatencySLO("lost == 0")
        @Test
        @Order(1)
        void first(KafkaSession kafka) throws Exception {
            Traffic.roundTrip(kafka, 500);
        }

        @LatencySLO("lost == 0")
        @Test
        @Order(2)
        void second(KafkaSession kafka) throws Exception {
            Traffic.roundTrip(kafka, 500);
        }
    }
}
