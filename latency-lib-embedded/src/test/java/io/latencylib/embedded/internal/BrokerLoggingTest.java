package io.latencylib.embedded.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class BrokerLoggingTest {

    @Test
    void brokerLoggersGoToWarnUnlessTheTestConfiguredThem() {
        // before: slf4j-simple's default here is warn; make the default info as in a user's project
        System.setProperty("org.slf4j.simpleLogger.log.test.broker", "info");
        try {
            Logger before = LoggerFactory.getLogger("test.broker.before");
            assertThat(before.isInfoEnabled()).isTrue();

            BrokerLogging.quiet(List.of("test.broker.server", "test.broker.configured"));

            Logger server = LoggerFactory.getLogger("test.broker.server.SomeThread");
            assertThat(server.isInfoEnabled()).as("broker logger quiet").isFalse();
            assertThat(server.isWarnEnabled()).as("broker warnings kept").isTrue();
            assertThat(LoggerFactory.getLogger("test.broker.configured.X").isInfoEnabled())
                    .as("level from simplelogger.properties wins").isTrue();
            assertThat(LoggerFactory.getLogger("test.broker.other").isInfoEnabled())
                    .as("loggers not named are left alone").isTrue();
        } finally {
            System.clearProperty("org.slf4j.simpleLogger.log.test.broker");
        }
    }

    @ParameterizedTest
    @CsvSource({"log4j2, org.apache.logging.slf4j.Log4jLoggerFactory, false",
            "logback, ch.qos.logback.classic.LoggerContext, true"})
    void log4j2AndLogbackDefaultsBecomeWarnForTheBroker(String binding, String factory, boolean otherDebug,
                                                       @TempDir Path tmp) throws Exception {
        Path jars = Path.of("target", "bindings", binding);
        List<String> classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("slf4j-simple")).collect(Collectors.toList());
        try (var list = Files.list(jars)) {
            list.forEach(jar -> classpath.add(jar.toAbsolutePath().toString()));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ChildProcess child = ChildProcess.start(binding, List.of(java, "-cp", String.join(File.pathSeparator, classpath),
                BindingLevelsMain.class.getName()), null, null, tmp.resolve("child.log"));
        var values = child.awaitValues(Set.of("BINDING", "BROKER_INFO", "BROKER_WARN", "OTHER_DEBUG"),
                System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
        child.stop(null, Duration.ofSeconds(10));
        assertThat(values.get("BINDING")).isEqualTo(factory);
        assertThat(values.get("BROKER_INFO")).as("broker INFO off").isEqualTo("false");
        assertThat(values.get("BROKER_WARN")).as("broker warnings on").isEqualTo("true");
        // the binding's own default for everything else is untouched: Logback DEBUG, Log4j 2 ERROR
        assertThat(values.get("OTHER_DEBUG")).isEqualTo(Boolean.toString(otherDebug));
    }

    @Test
    void slf4j2IsAcceptedAndSlf4j17WithAnSlf4j2BindingIsRefusedWithThePomLine(@TempDir Path tmp) throws Exception {
        BrokerLogging.requireWorkingSlf4j("Test broker"); // this module's classpath: slf4j-api 2

        Path slf4j17 = Path.of("target", "slf4j-1.7", "slf4j-api-1.7.36.jar");
        assertThat(slf4j17).as("copied by the build (maven-dependency-plugin)").isRegularFile();
        List<String> classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("slf4j-api")).collect(Collectors.toList());
        classpath.add(slf4j17.toAbsolutePath().toString());
        assertThat(classpath).anyMatch(entry -> entry.contains("slf4j-simple-2."));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        ChildProcess child = ChildProcess.start("slf4j check", List.of(java, "-cp",
                String.join(File.pathSeparator, classpath), Slf4jCheckMain.class.getName()), null, null,
                tmp.resolve("check.log"));
        assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(tmp.resolve("check.log"));
        assertThat(child.process().exitValue()).as("output: %s", output).isEqualTo(3);
        assertThat(output).contains("Cannot start Test broker: the classpath has slf4j-api 1.x")
                .contains("<artifactId>slf4j-api</artifactId><version>" + BrokerLogging.SLF4J_VERSION + "</version>");
        assertThat(BrokerLogging.SLF4J_VERSION).as("the version the fix names is the one the build pins")
                .isEqualTo(System.getProperty("slf4j.version"));
    }
}
