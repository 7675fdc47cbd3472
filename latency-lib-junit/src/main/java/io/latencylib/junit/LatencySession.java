package io.latencylib.junit;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import java.util.Optional;

/**
 * What every test that measures latency has, whatever the messaging system: the test invocation's
 * own recorder, its report, and paced load against the run's broker. A test asks for the session of
 * the system it needs by parameter type ({@code KafkaSession}, {@code PulsarSession},
 * {@code RabbitSession}: each adds fresh destinations and clients of that system already wrapped
 * with the test's recorder); a parameter of this type gets the session of the test's system: the
 * one whose session type another parameter of the test method has, else the one named by
 * {@link LatencySLO#system()}, else the only system on the test classpath.
 *
 * <p>Injected by {@link LatencySloExtension} into test methods and {@code @BeforeEach} /
 * {@code @AfterEach} methods; one session per test invocation, closed after it (after
 * {@code @AfterEach} methods) with every client it made. Thread-safe.
 */
public interface LatencySession {

    /** @return the messaging system of this session: {@code kafka}, {@code pulsar} or {@code rabbitmq} */
    String system();

    /** @return the recorder of this test invocation; the extension checks the objectives on what it measured */
    LatencyRecorder recorder();

    /**
     * @return the report of everything the test's recorder measured so far (the warm-up of
     *     {@link LatencySLO#warmUp()} excluded)
     */
    LatencyReport report();

    /**
     * @return a load run against the test run's broker, recording into the test's recorder, with a fresh
     *     destination; add a schedule and {@code run()} it
     */
    LoadRun.Builder load();

    /** @return the report of the paced load the extension drove before the body ({@link LatencySLO#rate()} &gt; 0) */
    Optional<LoadReport> loadReport();
}
