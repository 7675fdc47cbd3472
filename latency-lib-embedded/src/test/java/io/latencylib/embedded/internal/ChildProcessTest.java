package io.latencylib.embedded.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChildProcessTest {

    private static final long SECONDS_30 = TimeUnit.SECONDS.toNanos(30);

    @Test
    void readsKeyValueLinesAndStopsTheChildByClosingItsStdin(@TempDir Path tmp) {
        ChildProcess child = ChildProcess.start("test child",
                List.of("/bin/sh", "-c", "echo A=1; echo some noise; echo B=two=2; cat >/dev/null; echo bye >&2"),
                null, null, tmp.resolve("child.log"));
        Map<String, String> values = child.awaitValues(Set.of("A", "B"), System.nanoTime() + SECONDS_30);
        assertThat(values).containsEntry("A", "1").containsEntry("B", "two=2").hasSize(2);
        assertThat(child.isAlive()).isTrue();

        assertThat(child.stop(null, Duration.ofSeconds(10))).as("stopped cleanly by closing stdin").isTrue();
        assertThat(child.isAlive()).isFalse();
        assertThat(child.process().exitValue()).isZero();
        assertThat(ChildProcess.tail(tmp.resolve("child.log"), 10)).isEqualTo("bye");
    }

    @Test
    void aChildJvmTellsAStopFromItsParentsDeath(@TempDir Path tmp) {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ServeMain.class.getName());
        ChildProcess stopped = ChildProcess.start("stopped child", command, null, null, tmp.resolve("stopped.log"));
        stopped.awaitValues(Set.of("READY"), System.nanoTime() + SECONDS_30);
        assertThat(stopped.stop(null, Duration.ofSeconds(30))).isTrue();
        assertThat(ChildProcess.tail(tmp.resolve("stopped.log"), 10)).contains("STOPPED_BY_PARENT=true");

        ChildProcess orphan = ChildProcess.start("orphaned child", command, null, null, tmp.resolve("orphan.log"));
        orphan.awaitValues(Set.of("READY"), System.nanoTime() + SECONDS_30);
        try {
            orphan.process().getOutputStream().close(); // what the kernel does when this JVM dies
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(ChildProcess.awaitExit(List.of(orphan.process().toHandle()), Duration.ofSeconds(30))).isTrue();
        assertThat(ChildProcess.tail(tmp.resolve("orphan.log"), 10)).contains("STOPPED_BY_PARENT=false");
    }

    @Test
    void aChildThatExitsBeforeReportingFailsWithTheEndOfItsLog(@TempDir Path tmp) {
        ChildProcess child = ChildProcess.start("failing child",
                List.of("/bin/sh", "-c", "echo 'cannot bind port 1234' >&2; exit 3"), null, null, tmp.resolve("f.log"));
        assertThatThrownBy(() -> child.awaitValues(Set.of("URL"), System.nanoTime() + SECONDS_30))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("failing child ended its output before it reported URL")
                .hasMessageContaining("exit code 3")
                .hasMessageContaining("cannot bind port 1234");
    }

    @Test
    void closingTheStdinOfAWatchedProgramKillsItsWholeProcessGroup(@TempDir Path tmp) throws Exception {
        // a program with a grandchild: both must go
        ChildProcess child = ChildProcess.startWatched("group", List.of("/bin/sh", "-c",
                "sleep 1000 & echo grandchild=$! ; wait"), tmp, null, tmp.resolve("group.log"));
        long pid = child.pid();
        assertThat(pid).isNotEqualTo(child.process().pid());
        long grandchild = awaitGrandchild(tmp.resolve("group.log"));
        assertThat(ProcessHandle.of(pid).map(ChildProcess::isRunning)).contains(true);
        assertThat(ProcessHandle.of(grandchild).map(ChildProcess::isRunning)).contains(true);

        child.process().getOutputStream().close(); // what the kernel does when this JVM dies

        assertThat(ChildProcess.awaitExit(List.of(child.process().toHandle()), Duration.ofSeconds(10))).isTrue();
        assertGone(pid, Duration.ofSeconds(10));
        assertGone(grandchild, Duration.ofSeconds(10));
    }

    @Test
    void stopSendsSigtermFirstAndReportsACleanStop(@TempDir Path tmp) throws Exception {
        ChildProcess child = ChildProcess.startWatched("sleeper", List.of("sleep", "1000"), tmp, null,
                tmp.resolve("s.log"));
        ProcessHandle program = ProcessHandle.of(child.pid()).orElseThrow();
        assertThat(child.stop(program, Duration.ofSeconds(10))).isTrue();
        assertThat(ChildProcess.isRunning(program)).isFalse();
        assertThat(child.isAlive()).isFalse();
    }

    @Test
    void whenItsParentJvmIsKilledTheProgramStopsAndTheNextCreateSweepsTheDirectory(@TempDir Path tmp)
            throws Exception {
        Path parent = Files.createDirectories(tmp.resolve("parent"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ChildProcess jvm = ChildProcess.start("orphan JVM", List.of(java, "-cp", System.getProperty("java.class.path"),
                OrphanMain.class.getName(), parent.toString()), null, null, tmp.resolve("jvm.log"));
        Map<String, String> values = jvm.awaitValues(Set.of("DIRECTORY", "PID"), System.nanoTime() + SECONDS_30);
        Path directory = Path.of(values.get("DIRECTORY"));
        long sleeper = Long.parseLong(values.get("PID"));
        assertThat(directory).isDirectory();
        assertThat(Files.readString(directory.resolve(DataDirectory.OWNER_FILE)))
                .contains("pid=" + jvm.process().pid());
        assertThat(ProcessHandle.of(sleeper).map(ChildProcess::isRunning)).contains(true);

        jvm.process().destroyForcibly(); // SIGKILL: no shutdown hook, no close
        assertThat(jvm.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        long killed = System.nanoTime();
        assertGone(sleeper, Duration.ofSeconds(10));
        System.out.printf("watched program gone %d ms after its parent JVM was killed%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
        assertThat(directory).as("nobody deleted it yet").isDirectory();

        Path next = DataDirectory.create(parent, "orphan-test-");
        try (var left = Files.list(parent)) {
            assertThat(left.collect(Collectors.toList())).containsExactly(next);
        }
    }

    private static long awaitGrandchild(Path log) throws Exception {
        long deadline = System.nanoTime() + SECONDS_30;
        while (System.nanoTime() - deadline < 0) {
            Optional<String> line = Files.readAllLines(log).stream().filter(l -> l.startsWith("grandchild=")).findFirst();
            if (line.isPresent()) {
                return Long.parseLong(line.get().substring("grandchild=".length()));
            }
            Thread.sleep(20); // polling a file another process writes
        }
        throw new AssertionError("no grandchild pid in " + log);
    }

    private static void assertGone(long pid, Duration within) throws Exception {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isPresent()) {
            assertThat(ChildProcess.awaitExit(List.of(handle.get()), within))
                    .as("process %d gone within %s", pid, within).isTrue();
        }
    }
}
