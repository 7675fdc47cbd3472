package io.latencylib.embedded.internal;

import java.util.List;

import org.slf4j.LoggerFactory;

/** Prints what {@link BrokerLogging#quiet} did to the levels of the SLF4J binding on its classpath. */
public final class BindingLevelsMain {
    private BindingLevelsMain() {
    }

    public static void main(String[] args) {
        String binding = LoggerFactory.getILoggerFactory().getClass().getName();
        BrokerLogging.quiet(List.of("test.broker"));
        System.out.println("BINDING=" + binding);
        System.out.println("BROKER_INFO=" + LoggerFactory.getLogger("test.broker.Server").isInfoEnabled());
        System.out.println("BROKER_WARN=" + LoggerFactory.getLogger("test.broker.Server").isWarnEnabled());
        System.out.println("OTHER_DEBUG=" + LoggerFactory.getLogger("test.other").isDebugEnabled());
    }
}
