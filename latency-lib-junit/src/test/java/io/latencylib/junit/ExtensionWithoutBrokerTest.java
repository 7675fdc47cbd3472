package io.latencylib.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The extension as JUnit runs it, on a test classpath with no messaging system at all (this
 * module's): the scenario classes below go through the EngineTestKit and the failure of each is
 * checked. What needs a broker is tested in each adapter (latency-lib-kafka's LatencySloExtensionTest).
 */
class ExtensionWithoutBrokerTest {

    private static final String PARAMETER = "latency.junit.kit";

    @Test
    void aSessionWithNoSystemOnTheClasspathFailsNamingTheAdaptersToAdd() {
        Map<String, Throwable> failures = run(NoSystem.class);

        assertThat(failures.get("wantsASession(LatencySession)"))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith("NoSystem.wantsASession(): no latency system is on the test classpath")
                .hasMessageContaining("add the adapter of your broker as a test dependency: io.latencylib:latency-lib-kafka"
                        + " (kafka), io.latencylib:latency-lib-pulsar (pulsar), io.latencylib:latency-lib-rabbitmq (rabbitmq)");
        assertThat(failures.get("pacedLoad()")).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("no latency system is on the test classpath");
        assertThat(failures.get("namedSystem()")).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("NoSystem.namedSystem(): @LatencySLO(system = \"pulsar\") but no latency system is on the"
                        + " test classpath; add io.latencylib:latency-lib-pulsar as a test dependency");
    }

    @Test
    void badAttributesFailTheTestNamingTheAttributeAndThePlace() {
        Map<String, Throwable> failures = run(BadAttributes.class);

        assertThat(failures.get("badWarmUp()")).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@LatencySLO on BadAttributes.badWarmUp(): bad warmUp \"ten seconds\" at position 0:"
                        + " expected a number such as 50 or 0.5, found \"ten\"; warmUp must be between 0 and 24h,"
                        + " written like 500ms, 1.5s or 2min\n  ten seconds\n  ^")
                .hasNoCause();
        assertThat(failures.get("noDuration()")).hasMessage("@LatencySLO on BadAttributes.noDuration(): bad duration"
                + " \"0s\" at position 0: duration must be between 1ms and 24h\n  0s\n  ^");
        assertThat(failures.get("hugeDuration()")).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@LatencySLO on BadAttributes.hugeDuration(): bad duration \"" + "9".repeat(60) + "...\""
                        + " at position 0: duration must be between 1ms and 24h\n  " + "9".repeat(60) + "...\n  ^")
                .hasNoCause();
        assertThat(failures.get("negativeRate()")).hasMessage("@LatencySLO on BadAttributes.negativeRate(): rate must"
                + " be between 0 (no paced load) and 1000000000 messages per second, was -1");
        assertThat(failures.get("nanRate()")).hasMessageEndingWith("messages per second, was NaN");
        assertThat(failures.get("hugeMessageSize()")).hasMessage("@LatencySLO on BadAttributes.hugeMessageSize():"
                + " messageSize must be between 0 and 16777216 bytes (16 MiB), was 2147483647");
        assertThat(failures.get("longSystem()")).hasMessage("@LatencySLO on BadAttributes.longSystem(): system must be"
                + " the name of a messaging system such as \"kafka\", \"pulsar\" or \"rabbitmq\": 1 to 40 letters,"
                + " digits, '.', '_' or '-', was \"" + "pulsar".repeat(3) + "pu...\"");
        assertThat(failures.get("unusedBadDuration()")).hasMessageContaining("duration must be between 1ms and 24h");
        assertThat(failures).hasSize(8);
    }

    @Test
    void aTestWithObjectivesThatMeasuredNothingFails() {
        Map<String, Throwable> failures = run(MeasuresNothing.class);

        assertThat(failures.get("sendsNothing()")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("no message was measured");
    }

    private static Map<String, Throwable> run(Class<?> scenario) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(scenario))
                .configurationParameter(PARAMETER, "true").execute();
        Map<String, Throwable> out = new LinkedHashMap<>();
        results.testEvents().failed().stream().forEach(e -> out.put(e.getTestDescriptor().getDisplayName(),
                e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).orElseThrow()));
        assertThat(results.testEvents().succeeded().count()).as("tests that passed, of " + out.keySet()).isZero();
        return out;
    }

    /** Scenario classes run only through {@link #run} (surefire skips nested classes anyway). */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(KitOnly.class)
    @interface Scenario {
    }

    static final class KitOnly implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(PARAMETER).filter("true"::equals).isPresent()
                    ? ConditionEvaluationResult.enabled("run by the EngineTestKit")
                    : ConditionEvaluationResult.disabled("a scenario run only through the EngineTestKit");
        }
    }

    @Scenario
    static class NoSystem {
        @LatencySLO("p99 < 50ms")
        @Test
        void wantsASession(LatencySession session) {
        }

        @LatencySLO(value = "p99 < 50ms", rate = 100, duration = "1s")
        @Test
        void pacedLoad() {
        }

        @LatencySLO(value = "p99 < 50ms", system = "pulsar", rate = 100, duration = "1s")
        @Test
        void namedSystem() {
        }
    }

    @Scenario
    static class BadAttributes {
        @LatencySLO(value = "p99 < 50ms", warmUp = "ten seconds")
        @Test
        void badWarmUp() {
        }

        @LatencySLO(value = "p99 < 50ms", rate = 100, duration = "0s")
        @Test
        void noDuration() {
        }

        @LatencySLO(value = "p99 < 50ms", rate = 100, duration = "9999999999999999999999999999999999999999999999999999999999999999999999999999999999s")
        @Test
        void hugeDuration() {
        }

        @LatencySLO(value = "p99 < 50ms", rate = -1)
        @Test
        void negativeRate() {
        }

        @LatencySLO(value = "p99 < 50ms", rate = Double.NaN)
        @Test
        void nanRate() {
        }

        @LatencySLO(value = "p99 < 50ms", rate = 100, messageSize = Integer.MAX_VALUE)
        @Test
        void hugeMessageSize() {
        }

        @LatencySLO(value = "p99 < 50ms", system = "pulsarpulsarpulsarpulsarpulsarpulsarpulsarpulsar")
        @Test
        void longSystem() {
        }

        /** No paced load, so the duration is not used: still an error. */
        @LatencySLO(value = "p99 < 50ms", duration = "1e3s")
        @Test
        void unusedBadDuration() {
        }
    }

    @Scenario
    static class MeasuresNothing {
        @LatencySLO("p99 < 50ms")
        @Test
        void sendsNothing() {
        }
    }
}
