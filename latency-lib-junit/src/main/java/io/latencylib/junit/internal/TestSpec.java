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
 */
public record TestSpec(List<Slo> objectives, Load load) {

    /** Paced load the extension drives: {@code rate} msg/s for {@code duration} after {@code warmUp}. */
    public record Load(double rate, Duration duration, Duration warmUp, int messageSize) {
    }

    /** @return true when nothing applies (no annotation, or annotations without objectives or load) */
    public boolean isEmpty() {
        return objectives.isEmpty() && load == null;
    }

    /** Reads the annotations that apply to the test of {@code context} and its enclosing containers. */
    public static TestSpec of(ExtensionContext context) {
        Set<Slo> objectives = new LinkedHashSet<>();
        Load load = null;
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
                if (load == null && a.rate() > 0) {
                    load = load(a, element.get());
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
            return new TestSpec(List.of(), null); // the class's objectives apply to its other tests
        }
        return new TestSpec(new ArrayList<>(objectives), load);
    }

    private static Slo parse(String text, AnnotatedElement element) {
        try {
            return Slo.parse(text);
        } catch (SloSyntaxException e) {
            throw new ExtensionConfigurationException(where(element) + ": " + e.getMessage(), e);
        }
    }

    private static Load load(LatencySLO a, AnnotatedElement element) {
        try {
            Duration duration = DurationText.parse(a.duration());
            if (duration.isZero()) {
                throw new IllegalArgumentException("duration must be positive when a rate is given");
            }
            if (a.messageSize() < 0) {
                throw new IllegalArgumentException("messageSize must be >= 0: " + a.messageSize());
            }
            return new Load(a.rate(), duration, DurationText.parse(a.warmUp()), a.messageSize());
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(where(element) + ": " + e.getMessage(), e);
        }
    }

    private static String where(AnnotatedElement element) {
        String name = element instanceof Method m ? m.getDeclaringClass().getSimpleName() + "." + m.getName() + "()"
                : element instanceof Class<?> c ? c.getName() : element.toString();
        return "@LatencySLO on " + name;
    }
}
