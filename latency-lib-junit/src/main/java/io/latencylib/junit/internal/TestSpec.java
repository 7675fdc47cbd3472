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
                // every attribute of every annotation that applies is checked, used or not
                String ownSystem;
                Duration ownWarmUp;
                try {
                    ownSystem = a.system().isBlank() ? null : Attributes.system(a.system());
                    ownWarmUp = a.warmUp().isBlank() ? null : Attributes.warmUp(a.warmUp(), "warmUp");
                    Attributes.duration(a.duration());
                    Attributes.rate(a.rate());
                    Attributes.messageSize(a.messageSize());
                } catch (IllegalArgumentException e) {
                    // the message says it all (attribute, range, excerpt): no cause, no stack trace of the parser
                    throw new ExtensionConfigurationException(where(element.get()) + ": " + e.getMessage());
                }
                if (system == null) {
                    system = ownSystem;
                }
                if (warmUp == null) {
                    warmUp = ownWarmUp;
                }
                if (rated == null && a.rate() > 0) {
                    rated = a;
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
        Load load = rated == null ? null : load(rated, warmUp == null ? DEFAULT_LOAD_WARM_UP : warmUp);
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

    private static Load load(LatencySLO a, Duration warmUp) {
        return new Load(a.rate(), Attributes.duration(a.duration()), warmUp, a.messageSize());   // checked in of()
    }

    private static String where(AnnotatedElement element) {
        String name = element instanceof Method m ? m.getDeclaringClass().getSimpleName() + "." + m.getName() + "()"
                : element instanceof Class<?> c ? c.getName() : element.toString();
        return "@LatencySLO on " + name;
    }
}
