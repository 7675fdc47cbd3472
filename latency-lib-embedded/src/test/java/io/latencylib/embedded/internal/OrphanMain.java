package io.latencylib.embedded.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A JVM that owns a data directory and a watched child program, to be killed by a test: prints
 * {@code DIRECTORY=} and {@code PID=} (the watched {@code sleep}'s pid), then waits for stdin to close.
 */
public final class OrphanMain {
    private OrphanMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = ChildProcess.reserveStdout();
        Path parent = Path.of(args[0]);
        Path directory = DataDirectory.create(parent, "orphan-test-");
        ChildProcess sleeper = ChildProcess.startWatched("sleep", List.of("sleep", "1000"), directory, null,
                directory.resolve("sleep.log"));
        ChildProcess.serveUntilStdinCloses(out, Map.of("DIRECTORY", directory.toString(),
                "PID", Long.toString(sleeper.pid())));
    }
}
