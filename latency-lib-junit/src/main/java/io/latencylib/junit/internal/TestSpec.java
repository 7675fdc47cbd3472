package io.latencylib.junit.internal;

import io.latencylib.junit.LatencySLO;
import io.latencylib.slo.Slo;
import io.latencylib.slo.SloSyntaxException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The objectives and the paced load that apply to one test: every {@link LatencySLO} on the method,
 * its class and the classes enclosing it (for {@code @Nested}), directly, repeated or through a
 * composed annotation. Internal.
 *
 * @param objectives the objectives, each once, nearest the method first
 * @param load       the paced load to drive before the body, or null
 * @param system     the system named by the nearest {@code system} attribute, or null
 * @param ownWarmUp  for a test without paced load: how long after the body starts its own traffic is
 *                   measured from (zero: everything)
 */
public record TestSpec(List<Slo> objectives, Load load, String system, Duration ownWarmUp) {

    /** The warm-up of paced load when {@link LatencySLO#warmUp()} is not given. */
    public static final Duration DEFAULT_LOAD_WARM_UP = Duration.ofSeconds(2);

    /** Nothing applies: no annotation. */
    public static final TestSpec NONE = new TestSpec(List.of(), null, null, Duration.ZERO);

    /** Paced load the extension drives: {@code rate} msg/s for {@code duration} after {@code warmUp}. */
    public record Load(double rate, Duration duration, Duration warmUp, int messageSize) {
    }

    /** Reads the annotations that apply to the test of {@code context} and its enclosing containers. */
    public static TestSpec of(ExtensionContext context) {
        Set<Slo> objectives = new LinkedHashSet<>();
        LatencySLO rated = null;
        AnnotatedElement ratedOn = null;
        String system = null;
        Duration warmUp = null;
        Set<AnnotatedElement> seen = new HashSet<>();
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            Optional<AnnotatedElement> element = c.get().getElement();
            if (element.isEmpty() || !seen.add(element.get())) {
                continue; // the root, or a test template's container after its invocation (same method)
            }
            for (LatencySLO a : AnnotationSupport.findRepeatableAnnotations(element.get(), LatencySLO.class)) {
                for (String text : a.value()) {
                    objectives.add(parse(text, element.get()));
                }
                if (system == null && !a.system().isBlank()) {
                    system = a.system().trim().toLowerCase(java.util.Locale.ROOT);
                }
                if (warmUp == null && !a.warmUp().isBlank()) {
                    warmUp = duration(a.warmUp(), "warmUp", element.get());
                }
                if (rated == null && a.rate() > 0) {
                    rated = a;
                    ratedOn = element.get();
                } else if (a.rate() < 0 || Double.isNaN(a.rate())) {
                    throw new ExtensionConfigurationException(where(element.get()) + ": rate must be >= 0 messages"
                            + " per second (0 for no paced load), was " + a.rate());
                }
            }
        }
        Optional<Method> method = context.getTestMethod();
        if (method.isPresent() && method.get().isAnnotationPresent(TestFactory.class)) {
            if (!AnnotationSupport.findRepeatableAnnotations(method.get(), LatencySLO.class).isEmpty()) {
                throw new ExtensionConfigurationException(where(method.get()) + ": a @TestFactory returns before its"
                        + " dynamic tests run, so there is nothing to check when it returns; measure in a @Test,"
                        + " @ParameterizedTest or @RepeatedTest");
            }
            return NONE; // the class's objectives apply to its other tests
        }
        Load load = rated == null ? null : load(rated, ratedOn, warmUp == null ? DEFAULT_LOAD_WARM_UP : warmUp);
        return new TestSpec(new ArrayList<>(objectives), load, system,
                load != null || warmUp == null ? Duration.ZERO : warmUp);
    }

    private static Slo parse(String text, AnnotatedElement element) {
        try {
            return Slo.parse(text);
        } catch (SloSyntaxException e) {
            throw new ExtensionConfigurationException(where(element) + ": " + e.getMessage(), e);
        }
    }

    private static Load load(LatencySLO a, AnnotatedElement element, Duration warmUp) {
        Duration duration = duration(a.duration(), "duration", element);
        if (duration.isZero()) {
            throw new ExtensionConfigurationException(where(element) + ": duration must be positive when a rate is"
                    + " given, e.g. duration = \"10s\"");
        }
        if (a.messageSize() < 0) {
            throw new ExtensionConfigurationException(where(element) + ": messageSize must be >= 0, was "
                    + a.messageSize());
        }
        return new Load(a.rate(), duration, warmUp, a.messageSize());
    }

    private static Duration duration(String text, String attribute, AnnotatedElement element) {
        try {
            return DurationText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(where(element) + ": " + attribute + ": " + e.getMessage(), e);
        }
    }

    private static String where(AnnotatedElement element) {
        String name = element instanceof Method m ? m.getDeclaringClass().getSimpleName() + "." + m.getName() + "()"
                : element instanceof Class<?> c ? c.getName() : element.toString();
        return "@LatencySLO on " + name;
    }
}
