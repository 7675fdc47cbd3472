package io.latencylib.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Meter names that never mix stages and end-to-end in one sum, and binding to several registries. */
class LatencyMetersTest {

    private long now = 1_700_000_000_000_000L;
    private final LatencyRecorder recorder = LatencyRecorder.builder().clock(() -> now).build();
    private final ProducerProbe producer = recorder.newProducerProbe("kafka", true, Duration.ZERO, 16384, 5);
    private final ConsumerProbe consumer = recorder.newConsumerProbe("kafka");

    /** One fully observed message of 9 ms end-to-end: produce 1, publish 2, commit 1, catch-up 0, fetch 5. */
    private void oneMessage() {
        long t0 = now;
        consumer.free(t0 - 100);
        byte[] stamp = producer.beginSend(t0, LatencyStamp.NOT_PACED);
        producer.sendReturned(stamp, t0 + 1_000);
        producer.acked(stamp, t0 + 4_000, ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 100);
        now = t0 + 9_000;
        consumer.received(stamp, 0, (t0 + 3_000) / 1000, t0 + 9_000);
        consumer.busy(t0 + 9_000);
        now += 1_000;
    }

    private static double sum(MeterRegistry registry, String name) {
        return registry.find(name).timers().stream().mapToDouble(t -> t.totalTime(TimeUnit.MICROSECONDS)).sum();
    }

    @Test
    void aSumOverTheStageTagIsTheEndToEndSumAndNothingElse() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (LatencyMeters meters = LatencyMeters.builder(recorder).system("kafka").destination("orders").build()) {
            meters.bindTo(registry);
            for (int i = 0; i < 3; i++) {
                oneMessage();
            }
            assertThat(registry.find(LatencyMeters.STAGE_TIMER).timers()).extracting(t -> t.getId().getTag("stage"))
                    .containsExactlyInAnyOrder("produce", "publish", "commit", "catch-up", "fetch");
            Timer e2e = registry.get(LatencyMeters.END_TO_END_TIMER).tag("from", "send").timer();
            assertThat(e2e.count()).isEqualTo(3);
            assertThat(registry.find(LatencyMeters.END_TO_END_TIMER).timers()).hasSize(1); // no paced load
            assertThat(sum(registry, LatencyMeters.STAGE_TIMER)).isEqualTo(e2e.totalTime(TimeUnit.MICROSECONDS))
                    .isEqualTo(27_000);
            assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getName())
                    .isIn(LatencyMeters.STAGE_TIMER, LatencyMeters.END_TO_END_TIMER, LatencyMeters.PRODUCER_TIMER,
                            LatencyMeters.MESSAGES_COUNTER, LatencyMeters.CLAMPS_COUNTER));
        }
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void bindsToTwoRegistriesLikeMicrometersOwnBinders() {
        SimpleMeterRegistry first = new SimpleMeterRegistry();
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        LatencyMeters meters = LatencyMeters.builder(recorder).system("kafka").destination("orders").build();
        meters.bindTo(first);
        oneMessage();                   // the stage timers exist in the first registry before the second is bound
        meters.bindTo(second);
        meters.bindTo(second);          // again: nothing changes, nothing is counted twice
        oneMessage();
        oneMessage();

        assertThat(first.get(LatencyMeters.END_TO_END_TIMER).timer().count()).isEqualTo(3);
        assertThat(second.get(LatencyMeters.END_TO_END_TIMER).timer().count()).isEqualTo(2);
        for (MeterRegistry r : new MeterRegistry[] {first, second}) {
            assertThat(r.find(LatencyMeters.STAGE_TIMER).timers()).hasSize(5);
            assertThat(sum(r, LatencyMeters.STAGE_TIMER)).isEqualTo(sum(r, LatencyMeters.END_TO_END_TIMER));
            assertThat(r.get(LatencyMeters.MESSAGES_COUNTER).tag("outcome", "received").functionCounter().count())
                    .isEqualTo(3); // the counters read the recorder
            assertThat(r.get(LatencyMeters.PRODUCER_TIMER).timer().count()).isPositive();
        }
        assertThat(second.get(LatencyMeters.STAGE_TIMER).tag("stage", "fetch").timer().count()).isEqualTo(2);

        meters.close();
        assertThat(first.getMeters()).isEmpty();
        assertThat(second.getMeters()).isEmpty();
        oneMessage();                   // closed: nothing is registered again
        assertThat(first.getMeters()).isEmpty();

        meters.bindTo(second);          // and a closed binder binds again
        oneMessage();
        assertThat(second.get(LatencyMeters.END_TO_END_TIMER).timer().count()).isEqualTo(1);
        meters.close();
    }

    @Test
    void bindsToACompositeRegistry() {
        SimpleMeterRegistry a = new SimpleMeterRegistry();
        SimpleMeterRegistry b = new SimpleMeterRegistry();
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        composite.add(a).add(b);
        try (LatencyMeters meters = LatencyMeters.builder(recorder).destination("orders").build()) {
            meters.bindTo(composite);
            oneMessage();
            oneMessage();
            assertThat(a.get(LatencyMeters.END_TO_END_TIMER).timer().count()).isEqualTo(2);
            assertThat(b.get(LatencyMeters.STAGE_TIMER).tag("stage", "fetch").timer().count()).isEqualTo(2);
        }
    }
}
