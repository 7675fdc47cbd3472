package io.latencylib.embedded.internal;

/** Runs {@link BrokerLogging#requireWorkingSlf4j} on whatever classpath it is given; exit 0 if it passes. */
public final class Slf4jCheckMain {
    private Slf4jCheckMain() {
    }

    public static void main(String[] args) {
        try {
            BrokerLogging.requireWorkingSlf4j("Test broker");
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            System.exit(3);
        }
    }
}
