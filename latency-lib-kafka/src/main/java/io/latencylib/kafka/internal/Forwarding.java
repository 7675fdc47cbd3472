package io.latencylib.kafka.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;

/**
 * What the plain wrapper classes need besides direct calls: whether they cover the running client's
 * interface, and forwarding of methods that only older clients have.
 */
public final class Forwarding {

    private Forwarding() {
    }

    /**
     * @return true when {@code implemented} (signatures {@code name(erased parameter types)}) holds every instance
     *     method of {@code type} as the running kafka-clients declares it, abstract or default (a default method
     *     must reach the client's own override too); false for a client newer than the one this library was
     *     compiled against
     */
    public static boolean implementsAll(Class<?> type, Set<String> implemented) {
        for (Method m : type.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) && !implemented.contains(signature(m))) {
                return false;
            }
        }
        return true;
    }

    /** {@code name(erased parameter types)}, e.g. {@code poll(java.time.Duration)}. */
    public static String signature(Method m) {
        StringBuilder s = new StringBuilder(m.getName()).append('(');
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            s.append(i == 0 ? "" : ",").append(types[i].getName());
        }
        return s.append(')').toString();
    }

    /**
     * Calls {@code type.name(parameterTypes)} on {@code target} by reflection (methods the compiled-against
     * client no longer has); returns its result and throws exactly what it threw.
     */
    static Object call(Object target, Class<?> type, String name, Class<?>[] parameterTypes, Object... args) {
        Method method;
        try {
            method = type.getMethod(name, parameterTypes);
        } catch (NoSuchMethodException e) {
            throw new UnsupportedOperationException(type.getSimpleName() + "." + name + " does not exist in the"
                    + " kafka-clients on the classpath", e);
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw Forwarding.<RuntimeException>sneaky(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
