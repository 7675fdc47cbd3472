package io.latencylib.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Latency objectives a test must meet, checked by {@link LatencySloExtension} after the test body on
 * what that test measured (its own {@link io.latencylib.LatencyRecorder}, one per invocation).
 *
 * <pre>{@code
 * @LatencySLO({"p99 < 50ms", "lost == 0"})
 * @Test
 * void ordersArriveQuickly(LatencySession kafka) { ... traffic through kafka.producer() / kafka.consumerOf(topic) ... }
 *
 * @LatencySLO(value = "commit.p99 < 10ms", rate = 2000, duration = "10s", warmUp = "2s")   // the extension drives the load
 * @Test
 * void commitStaysFast(LatencySession kafka) { assertThat(kafka.loadReport().orElseThrow()).achievedRate().isGreaterThan(1900.0); }
 * }</pre>
 *
 * <p>The objectives are in the language of {@link io.latencylib.slo.Slo#parse(String)}. Using this
 * annotation registers the extension (it is meta-annotated with {@code @ExtendWith}). It may be put
 * on a test method, on a test class (every test of the class, including {@code @Nested} classes
 * inside it, must meet it), on an annotation of your own (a composed annotation), and repeated; the
 * objectives of all that apply are checked together.
 *
 * <p>With {@link #rate()} &gt; 0 the extension puts paced load on the provisioned broker just before
 * the test body ({@link io.latencylib.load.LoadRun} with a {@link io.latencylib.kafka.KafkaLoadDriver},
 * recording into the test's recorder), so latency objectives are on end-to-end latency measured from
 * the intended send instant (coordinated-omission corrected). When several annotations that apply
 * set a rate, the one nearest the test method wins. With rate 0 the test drives its own traffic,
 * usually through an injected {@link LatencySession}.
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(LatencySLOs.class)
@ExtendWith(LatencySloExtension.class)
public @interface LatencySLO {

    /** The objectives, e.g. {@code {"p99 < 50ms", "commit.p99 < 10ms", "lost == 0"}}. */
    String[] value() default {};

    /** Messages per second of paced load the extension drives before the test body; 0 (default) for none. */
    double rate() default 0;

    /** How long the paced load lasts (after the warm-up), e.g. {@code "10s"}; used only when {@link #rate()} &gt; 0. */
    String duration() default "10s";

    /** Load at the same rate first, excluded from the measurement, e.g. {@code "2s"} or {@code "0s"}. */
    String warmUp() default "2s";

    /** Payload bytes of each paced message. */
    int messageSize() default 1024;
}
