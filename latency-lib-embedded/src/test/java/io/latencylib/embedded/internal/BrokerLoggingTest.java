package io.latencylib.embedded.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
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
