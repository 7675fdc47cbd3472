package io.latencylib.junit;

import io.latencylib.junit.internal.InvocationState;
import io.latencylib.junit.internal.TestSpec;
import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link LatencySLO}: gives every test invocation a recorder of its own,
 * injects the session of the test's messaging system, drives paced load when asked, and after the
 * test body checks the objectives on what that invocation measured, failing the test with the
 * violation message.
 *
 * <p>Registered by {@link LatencySLO} itself (meta-annotated), by
 * {@code @ExtendWith(LatencySloExtension.class)}, or for every test through JUnit's service loading
 * when {@code junit.jupiter.extensions.autodetection.enabled=true} (in
 * {@code src/test/resources/junit-platform.properties} or as a system property). Registered twice,
 * it still acts once.
 *
 * <p>The extension knows no broker: each messaging system plugs in through a
 * {@link io.latencylib.junit.spi.LatencySystemProvider} its adapter jar ships (found by service
 * loading). Parameters of type {@link LatencySession} and of every provider's session type
 * ({@code KafkaSession}, ...) are resolved in test methods and {@code @BeforeEach} /
 * {@code @AfterEach} methods; one session per system and invocation.
 *
 * <p>Per invocation:
 * <ol>
 *   <li>before each: the objectives of every {@code @LatencySLO} on the method and its (enclosing)
 *       classes are read and an {@link io.latencylib.slo.SloCheck} starts on a fresh recorder; when the
 *       test method takes a session or asks for paced load, the run's broker of its system is
 *       provisioned now (the first time: address, Testcontainers or embedded, then a short warm-up
 *       run of paced load, see the README), never inside the body;</li>
 *   <li>before the body: with {@link LatencySLO#rate()} &gt; 0, paced load runs against that broker;
 *       without, and with a {@link LatencySLO#warmUp()}, only the body's traffic from
 *       {@code body start + warmUp} on is measured;</li>
 *   <li>after the body: the objectives are evaluated; the summary is published as report entries
 *       ({@code latency.slo}, {@code latency.summary}, {@code latency.load}, {@code latency.<system>}
 *       with the provisioning path, {@code latency.report}); the report is written to
 *       {@code target/latency-reports/<test class>/<display name>.txt}, {@code .json} and {@code .html}
 *       (directory: {@code latency.reports.dir}); a violation fails the test with an
 *       {@link AssertionError} whose message is {@link io.latencylib.slo.SloCheck#failureMessage}. A
 *       test that measured nothing fails too.</li>
 * </ol>
 */
public final class LatencySloExtension implements BeforeEachCallback, BeforeTestExecutionCallback,
        AfterTestExecutionCallback, ParameterResolver, InvocationInterceptor {

    /** Made by JUnit. */
    public LatencySloExtension() {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        InvocationState.of(context).activate(TestSpec.of(context));
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        InvocationState state = InvocationState.find(context);
        if (state != null) {
            state.driveLoad();
        }
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext extensionContext) throws Throwable {
        bodyStarts(extensionContext);
        invocation.proceed();
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
                                            ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext extensionContext) throws Throwable {
        bodyStarts(extensionContext);
        invocation.proceed();
    }

    private static void bodyStarts(ExtensionContext context) {
        InvocationState state = InvocationState.find(context);
        if (state != null) {
            state.bodyStarts();
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
        return LatencySession.class.isAssignableFrom(parameterContext.getParameter().getType())
                && extensionContext.getTestMethod().isPresent();
    }

    @Override
    public LatencySession resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return InvocationState.of(extensionContext).session(parameterContext.getParameter().getType());
    }
}
