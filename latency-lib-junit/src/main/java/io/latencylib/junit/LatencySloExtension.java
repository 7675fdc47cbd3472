package io.latencylib.junit;

import io.latencylib.junit.internal.InvocationState;
import io.latencylib.junit.internal.TestSpec;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link LatencySLO}: gives every test invocation a recorder of its own,
 * injects {@link LatencySession}, drives paced load when asked, and after the test body checks the
 * objectives on what that invocation measured, failing the test with the violation message.
 *
 * <p>Registered by {@link LatencySLO} itself (meta-annotated), by
 * {@code @ExtendWith(LatencySloExtension.class)}, or for every test through JUnit's service loading
 * when {@code junit.jupiter.extensions.autodetection.enabled=true} (in
 * {@code src/test/resources/junit-platform.properties} or as a system property). Registered twice,
 * it still acts once.
 *
 * <p>Per invocation:
 * <ol>
 *   <li>before each: the objectives of every {@code @LatencySLO} on the method and its (enclosing)
 *       classes are read and an {@link io.latencylib.slo.SloCheck} starts on a fresh recorder;</li>
 *   <li>before the body: with {@link LatencySLO#rate()} &gt; 0, paced load runs against the broker;</li>
 *   <li>after the body: the objectives are evaluated; the summary is published as report entries
 *       ({@code latency.slo}, {@code latency.summary}, {@code latency.load}, {@code latency.kafka},
 *       {@code latency.report}); the report is written to
 *       {@code target/latency-reports/<test class>/<display name>.txt} (directory configurable with
 *       {@code latency.reports.dir}); a violation fails the test with an {@link AssertionError} whose
 *       message is {@link io.latencylib.slo.SloCheck#failureMessage}. A test that measured nothing
 *       fails too.</li>
 * </ol>
 *
 * <p>The broker is shared by the whole run and provisioned on first use: the address in system
 * property (or configuration parameter) {@code latency.kafka.bootstrap}, else environment variable
 * {@code LATENCY_KAFKA_BOOTSTRAP}; else, with {@code latency.kafka.testcontainers=true}, a
 * Testcontainers Kafka container if Testcontainers is on the classpath and Docker answers (image:
 * {@code latency.kafka.testcontainers.image}, default {@code apache/kafka:4.1.1}); else the embedded
 * broker of {@code latency-lib-kafka-embedded}.
 */
public final class LatencySloExtension
        implements BeforeEachCallback, BeforeTestExecutionCallback, AfterTestExecutionCallback, ParameterResolver {

    /** Made by JUnit. */
    public LatencySloExtension() {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        TestSpec spec = TestSpec.of(context);
        if (!spec.isEmpty()) {
            InvocationState.of(context).activate(spec);
        }
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        InvocationState state = InvocationState.find(context);
        if (state != null) {
            state.driveLoad();
        }
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        InvocationState state = InvocationState.find(context);
        if (state != null) {
            state.finish();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == LatencySession.class
                && extensionContext.getTestMethod().isPresent();
    }

    @Override
    public LatencySession resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return InvocationState.of(extensionContext).session();
    }
}
