package io.latencylib.embedded.internal;

import java.io.PrintStream;
import java.util.Map;

/** A child JVM that serves until its stdin closes, then says on stderr whether its parent stopped it. */
public final class ServeMain {
    private ServeMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = ChildProcess.reserveStdout();
        boolean told = ChildProcess.serveUntilStdinCloses(out, Map.of("READY", "1"));
        System.err.println("STOPPED_BY_PARENT=" + told);
    }
}
