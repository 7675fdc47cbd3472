package io.latencylib.spi;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * For broker adapters that wrap clients with {@link java.lang.reflect.Proxy} (so that a newer client
 * adding interface methods keeps working): forwarding a call unchanged, and the proxy's own
 * {@code equals}/{@code hashCode}/{@code toString}.
 */
public final class Delegation {

    private Delegation() {
    }

    /** Calls {@code method} on {@code target} and returns what it returns, throwing exactly what it threw. */
    public static Object forward(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * @return the result of {@code equals}/{@code hashCode}/{@code toString} on the proxy itself
     *     (identity, and {@code kind[target]}), or null when {@code method} is not one of them
     */
    public static Object objectMethod(Object proxy, Object target, String kind, Method method, Object[] args) {
        if (method.getDeclaringClass() != Object.class) {
            return null;
        }
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> kind + "[" + target + "]";
            default -> null;
        };
    }
}
