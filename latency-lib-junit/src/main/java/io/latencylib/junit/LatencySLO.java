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
 * void ordersArriveQuickly(KafkaSession kafka) { ... traffic through kafka.producer() / kafka.consumerOf(topic) ... }
 *
 * @LatencySLO(value = "commit.p99 < 10ms", rate = 2000, duration = "10s")   // the extension drives the load
 * @Test
 * void commitStaysFast(LatencySession session) { assertThat(session.loadReport().orElseThrow()).achievedRate().isGreaterThan(1900.0); }
 * }</pre>
 *
 * <p>The objectives are in the language of {@link io.latencylib.slo.Slo#parse(String)}. Using this
 * annotation registers the extension (it is meta-annotated with {@code @ExtendWith}). It may be put
 * on a test method, on a test class (every test of the class, including {@code @Nested} classes
 * inside it, must meet it), on an annotation of your own (a composed annotation), and repeated; the
 * objectives of all that apply are checked together. For {@link #rate()}, {@link #warmUp()} and
 * {@link #system()}, the annotation nearest the test method that sets the attribute wins. Every
 * attribute of every annotation that applies must be within its range, used or not; otherwise the test
 * fails with an {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} naming the
 * attribute, its range and (at most 60 characters of) the value.
 *
 * <p>With {@link #rate()} &gt; 0 the extension puts paced load on the test run's broker of the test's
 * system just before the test body ({@link io.latencylib.load.LoadRun} with that system's
 * {@link io.latencylib.load.LoadDriver}, recording into the test's recorder), so latency objectives
 * are on end-to-end latency measured from the intended send instant (coordinated-omission
 * corrected). With rate 0 the test drives its own traffic through the session it asks for
 * ({@code KafkaSession}, {@code PulsarSession}, {@code RabbitSession}).
 *
 * <p>The system of a test is, in this order: the one whose session type a parameter of the test
 * method has; {@link #system()}; the only system on the test classpath. Otherwise the test fails with
 * an {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} naming the systems found.
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

    /**
     * The messaging system of the test: {@code "kafka"}, {@code "pulsar"} or {@code "rabbitmq"}; empty
     * (default) for the system of the session parameter, else the only one on the test classpath. A name
     * is 1 to 40 letters, digits, {@code .}, {@code _} or {@code -}, in any case.
     */
    String system() default "";

    /** Messages per second of paced load the extension drives before the test body, 0 to 10^9; 0 (default) for none. */
    double rate() default 0;

    /**
     * How long the paced load lasts (after the warm-up), 1 ms to 24 h, e.g. {@code "10s"}; used only when
     * {@link #rate()} &gt; 0. Durations are written as in objectives: a plain decimal and a unit, {@code ns},
     * {@code us}, {@code ms}, {@code s}, {@code min} (or {@code m}) or {@code h}, e.g. {@code "500ms"},
     * {@code "1.5s"}, {@code "2min"}.
     */
    String duration() default "10s";

    /**
     * What is excluded from the measurement at the start, e.g. {@code "2s"} or {@code "0s"}; excluded
     * exactly, by intended (paced) or actual send instant, however long the rest of the test takes;
     * 0 to 24 h, written as {@link #duration()}.
     * <ul>
     *   <li>with {@link #rate()} &gt; 0: paced load at the same rate for this long first, not measured;</li>
     *   <li>with rate 0 (the test's own traffic): only messages the body sends from
     *       {@code body start + warmUp} on are measured ({@link io.latencylib.LatencyRecorder#measureFrom}),
     *       so the body sends its warm-up traffic first and simply keeps going.</li>
     * </ul>
     * Empty (default): 2 s for paced load, nothing for the test's own traffic (the run's broker and
     * the session's clients are warmed up before the first test anyway). Any value given applies to
     * whichever of the two the test does.
     */
    String warmUp() default "";

    /** Payload bytes of each paced message, 0 to 16 MiB (16777216). */
    int messageSize() default 1024;
}
