package io.latencylib.embedded.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lifecycle around a tiny real server: a listening socket on a fixed loopback port. */
class LifecycleTest {

    /** A "broker" that listens on its port while running. */
    private static final class SocketBroker implements Lifecycle.Actions {
        final int port = Ports.freeLoopbackPorts(1)[0];
        final AtomicInteger starts = new AtomicInteger();
        boolean failNextStart;
        ServerSocket socket;

        @Override
        public void start() throws IOException {
            starts.incrementAndGet();
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(Ports.LOOPBACK, port));
            if (failNextStart) {
                failNextStart = false;
                throw new IOException("broken on purpose");
            }
        }

        @Override
        public void stop() throws IOException {
            if (socket != null) {
                socket.close();
                socket = null;
            }
        }
    }

    @Test
    void stopsAndStartsAgainOnTheSamePortAndDeletesTheDirectoryOnClose(@TempDir Path tmp) throws Exception {
        Path dir = DataDirectory.create(tmp, "lifecycle-test-");
        Files.writeString(dir.resolve("data"), "kept across a restart");
        SocketBroker broker = new SocketBroker();
        Lifecycle lifecycle = new Lifecycle("socket broker", dir, true, broker);
        assertThat(lifecycle.isRunning()).isFalse();
        assertThatThrownBy(() -> lifecycle.requireRunning("connect"))
                .hasMessageContaining("Cannot connect: socket broker is stopped; start() it again first");

        lifecycle.start();
        assertThat(lifecycle.isRunning()).isTrue();
        assertThat(Ports.acceptsConnections(broker.port)).isTrue();
        lifecycle.start(); // no-op when running
        assertThat(broker.starts).hasValue(1);

        lifecycle.stop();
        assertThat(lifecycle.isRunning()).isFalse();
        assertThat(Ports.acceptsConnections(broker.port)).as("port refuses connections when stopped").isFalse();
        assertThat(dir.resolve("data")).hasContent("kept across a restart");
        lifecycle.stop(); // no-op when stopped

        Ports.awaitFree("socket broker", Duration.ofSeconds(5), broker.port);
        lifecycle.start();
        assertThat(Ports.acceptsConnections(broker.port)).isTrue();

        lifecycle.close();
        assertThat(Ports.acceptsConnections(broker.port)).isFalse();
        assertThat(dir).doesNotExist();
        lifecycle.close(); // idempotent
        assertThatThrownBy(lifecycle::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("socket broker is closed");
        assertThatThrownBy(() -> lifecycle.requireRunning("connect")).hasMessageContaining("is closed");
    }

    @Test
    void aFailedStartLeavesTheBrokerStoppedAndStartableAgain(@TempDir Path tmp) {
        SocketBroker broker = new SocketBroker();
        broker.failNextStart = true;
        Lifecycle lifecycle = new Lifecycle("socket broker", DataDirectory.create(tmp, "lifecycle-test-"), true, broker);
        try {
            assertThatThrownBy(lifecycle::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("socket broker failed to start").hasMessageContaining("broken on purpose");
            assertThat(lifecycle.isRunning()).isFalse();
            assertThat(Ports.acceptsConnections(broker.port)).as("the partial start was stopped").isFalse();
            lifecycle.start();
            assertThat(Ports.acceptsConnections(broker.port)).isTrue();
        } finally {
            lifecycle.close();
        }
    }

    @Test
    void aRestartFailsClearlyWhenAnotherProcessTookThePort(@TempDir Path tmp) throws Exception {
        SocketBroker broker = new SocketBroker();
        try (ServerSocket thief = new ServerSocket()) {
            thief.bind(new InetSocketAddress(Ports.LOOPBACK, broker.port));
            assertThatThrownBy(() -> Ports.awaitFree("socket broker", Duration.ofMillis(200), broker.port))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("socket broker cannot start again: its port(s) [" + broker.port + "]")
                    .hasMessageContaining("taken by another process");
        }
    }

    @Test
    void retriesAFirstStartWhosePortWasTaken() {
        AtomicInteger attempts = new AtomicInteger();
        String result = Ports.retryOnBindFailure("test broker", 3, System.nanoTime() + 10_000_000_000L, () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new IllegalStateException("failed", new java.net.BindException("Address already in use"));
            }
            return "started";
        });
        assertThat(result).isEqualTo("started");
        assertThat(attempts).hasValue(3);
        assertThatThrownBy(() -> Ports.retryOnBindFailure("test broker", 3, System.nanoTime() + 10_000_000_000L,
                () -> {
                    throw new IllegalStateException("bad config");
                })).hasMessage("bad config");
    }

    @Test
    void sweepDeletesOnlyDirectoriesOfDeadOwners(@TempDir Path tmp) throws Exception {
        Path mine = DataDirectory.create(tmp, "sweep-test-");
        Path unmarked = Files.createDirectory(tmp.resolve("sweep-test-unmarked"));
        Path otherKind = Files.createDirectory(tmp.resolve("other-kind-1"));
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Path abandoned = Files.createDirectory(tmp.resolve("sweep-test-abandoned"));
        Files.createDirectories(abandoned.resolve("deep/er"));
        Files.writeString(abandoned.resolve("deep/er/file"), "x");
        Files.writeString(abandoned.resolve(DataDirectory.OWNER_FILE), "pid=" + dead.pid() + "\nstart=1\n");
        Files.writeString(otherKind.resolve(DataDirectory.OWNER_FILE), "pid=" + dead.pid() + "\nstart=1\n");

        assertThat(DataDirectory.sweep(tmp, "sweep-test-")).isEqualTo(1);
        assertThat(abandoned).doesNotExist();
        assertThat(mine).isDirectory();
        assertThat(unmarked).isDirectory();
        assertThat(otherKind).isDirectory();
    }
}
