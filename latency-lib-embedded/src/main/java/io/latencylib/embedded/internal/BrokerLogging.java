package io.latencylib.embedded.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the logs of a broker that runs inside the JVM quiet by default (warnings and errors only),
 * and refuses to run where SLF4J would drop every log without anyone noticing.
 *
 * <p>Quiet: for the SLF4J binding in use (slf4j-simple, Logback, Log4j 2, java.util.logging) each
 * of the broker's logger names is set to WARN, unless the test's own logging configuration already
 * gives that logger a level, which then wins. Other bindings are left alone. Only the names the
 * broker passes are touched.
 *
 * <p>Silenced: kafka-clients depends on slf4j-api 1.7; where Maven picks that version (kafka-clients
 * declared first in the pom) while the binding is one for SLF4J 2, SLF4J finds no binding and drops
 * every log, the broker's warnings and the test's own. {@link #requireWorkingSlf4j(String)} fails
 * the start with the one pom line that fixes it.
 */
public final class BrokerLogging {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerLogging.class);

    /** The slf4j-api version the fix names; kept in step with the parent pom. */
    static final String SLF4J_VERSION = "2.0.17";

    /** JUL holds loggers weakly: a level set on one that is collected would be lost. */
    private static final List<Object> KEPT = Collections.synchronizedList(new ArrayList<>());

    private BrokerLogging() {
    }

    /**
     * Sets each logger name to WARN for the binding in use, unless configured otherwise.
     *
     * @param loggerNames the broker's logger names (prefixes: {@code kafka} covers {@code kafka.server.*})
     */
    public static synchronized void quiet(List<String> loggerNames) {
        String binding = LoggerFactory.getILoggerFactory().getClass().getName();
        try {
            if (binding.equals("org.slf4j.simple.SimpleLoggerFactory") || binding.equals("org.slf4j.impl.SimpleLoggerFactory")) {
                quietSimple(loggerNames);
            } else if (binding.startsWith("ch.qos.logback.classic.")) {
                quietLogback(loggerNames);
            } else if (binding.startsWith("org.apache.logging.slf4j.")) {
                quietLog4j2(loggerNames);
            } else if (binding.equals("org.slf4j.jul.JDK14LoggerFactory") || binding.equals("org.slf4j.impl.JDK14LoggerFactory")) {
                quietJul(loggerNames);
            } else {
                LOG.debug("Broker logs left as configured: no way known to set levels through {}", binding);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("Could not set the broker's log levels through {}: {}", binding, e.toString());
        }
    }

    /**
     * Fails when the classpath has slf4j-api 1.x and a binding for SLF4J 2 only: every log would be
     * dropped silently.
     *
     * @param broker the broker about to start, for the message
     * @throws IllegalStateException naming the problem and the pom line that fixes it
     */
    public static void requireWorkingSlf4j(String broker) {
        ClassLoader loader = BrokerLogging.class.getClassLoader();
        if (present("org.slf4j.spi.SLF4JServiceProvider", loader) || present("org.slf4j.impl.StaticLoggerBinder", loader)) {
            return; // SLF4J 2, or SLF4J 1.x with a binding of its own
        }
        try {
            if (!loader.getResources("META-INF/services/org.slf4j.spi.SLF4JServiceProvider").hasMoreElements()) {
                return; // no binding at all: a choice SLF4J itself already warned about
            }
        } catch (IOException e) {
            return;
        }
        throw new IllegalStateException("Cannot start " + broker + ": the classpath has slf4j-api 1.x (kafka-clients"
                + " brings 1.7 and Maven picked it, as kafka-clients is declared before latency-lib in the pom) but a"
                + " logging binding for SLF4J 2, so every log, the broker's warnings and your own, would be dropped"
                + " silently. Add to your pom: <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId>"
                + "<version>" + SLF4J_VERSION + "</version></dependency>");
    }

    private static void quietSimple(List<String> names) {
        Properties file = new Properties();
        try (InputStream in = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader().getResourceAsStream("simplelogger.properties")
                : ClassLoader.getSystemResourceAsStream("simplelogger.properties")) {
            if (in != null) {
                file.load(in);
            }
        } catch (IOException e) {
            // no file: nothing configured there
        }
        for (String name : names) {
            String key = "org.slf4j.simpleLogger.log." + name;
            if (System.getProperty(key) == null && file.getProperty(key) == null) {
                // read by slf4j-simple when a logger of that name (or below) is first created
                System.setProperty(key, "warn");
            }
        }
    }

    private static void quietLogback(List<String> names) throws ReflectiveOperationException {
        Class<?> level = Class.forName("ch.qos.logback.classic.Level", true, BrokerLogging.class.getClassLoader());
        Object warn = level.getField("WARN").get(null);
        for (String name : names) {
            Object logger = LoggerFactory.getLogger(name); // a ch.qos.logback.classic.Logger
            Method getLevel = logger.getClass().getMethod("getLevel");
            if (getLevel.invoke(logger) == null) {
                logger.getClass().getMethod("setLevel", level).invoke(logger, warn);
            }
        }
    }

    private static void quietLog4j2(List<String> names) throws ReflectiveOperationException {
        ClassLoader loader = BrokerLogging.class.getClassLoader();
        Class<?> logManager = Class.forName("org.apache.logging.log4j.LogManager", true, loader);
        Object context = logManager.getMethod("getContext", boolean.class).invoke(null, false);
        Object configuration = context.getClass().getMethod("getConfiguration").invoke(context);
        @SuppressWarnings("unchecked")
        java.util.Map<String, ?> configured = (java.util.Map<String, ?>) configuration.getClass()
                .getMethod("getLoggers").invoke(configuration);
        Class<?> level = Class.forName("org.apache.logging.log4j.Level", true, loader);
        Object warn = level.getField("WARN").get(null);
        Method setLevel = Class.forName("org.apache.logging.log4j.core.config.Configurator", true, loader)
                .getMethod("setLevel", String.class, level);
        for (String name : names) {
            if (!configured.containsKey(name)) {
                setLevel.invoke(null, name, warn);
            }
        }
    }

    private static void quietJul(List<String> names) {
        for (String name : names) {
            java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
            if (logger.getLevel() == null) {
                logger.setLevel(java.util.logging.Level.WARNING);
                KEPT.add(logger);
            }
        }
    }

    private static boolean present(String className, ClassLoader loader) {
        try {
            Class.forName(className, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
