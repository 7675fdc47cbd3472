package io.latencylib.embedded.internal;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's child process, and the protocol between it and this JVM: the child reports what the
 * parent needs as {@code KEY=VALUE} lines on its standard output, and stops when its standard input
 * closes, which happens when the parent closes it and also when the parent dies, however it dies.
 *
 * <p>A child JVM (see {@link #reserveStdout()} and {@link #serveUntilStdinCloses}) follows the
 * protocol itself. Any other program is {@linkplain #startWatched started watched}: a small
 * {@code /bin/sh} wrapper runs it in a process group of its own (via {@code setsid}), reports
 * {@code PID=<pid>}, and kills the whole group with SIGKILL when its standard input closes, so a
 * broker and its helpers never outlive the JVM that started them.
 */
public final class ChildProcess {

    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);

    /**
     * The line this JVM writes on a child's stdin right before closing it in {@link #stop}: a child
     * JVM that reads end-of-file without it ({@link #serveUntilStdinCloses} returns false) knows its
     * parent died, and may clean up what the parent would have (its data directory).
     */
    public static final String STOP_LINE = "STOP";

    /** The key the watch wrapper reports the program's pid under. */
    public static final String PID = "PID";

    private static final int LOG_TAIL_LINES = 40;
    private static final long EXIT_POLL_MILLIS = 10;

    /**
     * $1: log file; the rest: the program. The program gets a session (and process group) of its own
     * whose id is its pid; the wrapper's stdin, the pipe from the JVM, is watched by a subshell that
     * kills the group at end-of-file. The wrapper exits with the program's status, killing its
     * leftovers first.
     */
    private static final String WATCH_SCRIPT = String.join("\n",
            "log=\"$1\"; shift",
            "exec 3<&0 </dev/null",
            "if command -v setsid >/dev/null 2>&1; then setsid \"$@\" >>\"$log\" 2>&1 3<&- &",
            "else \"$@\" >>\"$log\" 2>&1 3<&- & fi",
            "child=$!",
            "echo \"PID=$child\"",
            "( while read -r _ <&3; do :; done; kill -KILL -\"$child\" 2>/dev/null || kill -KILL \"$child\" 2>/dev/null ) >/dev/null 2>&1 &",
            "watch=$!",
            "exec 3<&-",
            "wait \"$child\"; status=$?",
            "kill -KILL -\"$child\" 2>/dev/null",
            "kill -KILL \"$watch\" 2>/dev/null; wait \"$watch\" 2>/dev/null",
            "exit \"$status\"");

    private final String what;
    private final Process process;
    private final Path log;
    private final Map<String, String> values = new HashMap<>();
    private boolean outputEnded;
    private final List<ProcessHandle> tree = new ArrayList<>();

    private ChildProcess(String what, Process process, Path log, Consumer<String> otherLines) {
        this.what = what;
        this.process = process;
        this.log = log;
        tree.add(process.toHandle());
        Thread reader = new Thread(() -> readValues(otherLines), "latency-lib-child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a child JVM or any program that follows the protocol itself: stdout carries its
     * {@code KEY=VALUE} lines, stderr goes to {@code log}.
     *
     * @param what    the child, for messages
     * @param command the command line
     * @param workDir its working directory, or null for this JVM's
     * @param env     changes to its environment, or null
     * @param log     where its standard error is appended
     * @return the running child
     * @throws IllegalStateException if it cannot be run
     */
    public static ChildProcess start(String what, List<String> command, Path workDir,
                                     Consumer<Map<String, String>> env, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return launch(what, builder, workDir, env, log, line -> LOG.debug("{}: {}", what, line));
    }

    /**
     * Starts a program that knows nothing of the protocol under the watch wrapper: its output is
     * appended to {@code log}, it runs in a process group of its own, and that group is killed when
     * this JVM closes the wrapper's stdin or dies. {@link #pid()} is the program's own pid.
     *
     * @param what    the program, for messages
     * @param command its command line
     * @param workDir its working directory, or null for this JVM's
     * @param env     changes to its environment, or null
     * @param log     where its standard output and error are appended
     * @return the running child, once the wrapper has reported the program's pid
     * @throws IllegalStateException if it cannot be run
     */
    public static ChildProcess startWatched(String what, List<String> command, Path workDir,
                                            Consumer<Map<String, String>> env, Path log) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", WATCH_SCRIPT, "latency-lib-watch",
                log.toString()));
        wrapped.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(wrapped)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        ChildProcess child = launch(what, builder, workDir, env, log, line -> LOG.debug("{}: {}", what, line));
        child.awaitValues(Set.of(PID), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        return child;
    }

    private static ChildProcess launch(String what, ProcessBuilder builder, Path workDir,
                                       Consumer<Map<String, String>> env, Path log, Consumer<String> otherLines) {
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        if (env != null) {
            env.accept(builder.environment());
        }
        try {
            return new ChildProcess(what, builder.start(), log, otherLines);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + what + " (" + builder.command().get(0) + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * The pid of the program: for a watched one the pid the wrapper reported, else the child's.
     *
     * @return the pid
     */
    public long pid() {
        String pid;
        synchronized (values) {
            pid = values.get(PID);
        }
        return pid != null ? Long.parseLong(pid) : process.pid();
    }

    /**
     * The process this JVM started (for a watched program: the wrapper).
     *
     * @return the process
     */
    public Process process() {
        return process;
    }

    /**
     * Whether the child still runs.
     *
     * @return true while it runs
     */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until the child has reported every key on its stdout.
     *
     * @param keys     the keys the caller needs
     * @param deadline a {@link System#nanoTime()} deadline
     * @return all values the child reported so far
     * @throws IllegalStateException if the child ends its output or exits first, or the deadline
     *                               passes; with the end of its log
     */
    public Map<String, String> awaitValues(Set<String> keys, long deadline) {
        synchronized (values) {
            while (!values.keySet().containsAll(keys)) {
                if (outputEnded) {
                    throw new IllegalStateException(what + " ended its output before it reported " + missing(keys)
                            + exitText() + ". " + logTail());
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new IllegalStateException(what + " did not report " + missing(keys) + " in time" + exitText()
                            + ". " + logTail());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(values, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for " + what, e);
                }
            }
            return Map.copyOf(values);
        }
    }

    /**
     * Remembers the program's process tree as it is now; {@link #stop} kills what is left of it.
     * Call it once the program runs: helpers it spawns are re-parented when it exits.
     */
    public void snapshotTree() {
        ProcessHandle.of(pid()).ifPresent(p -> {
            synchronized (tree) {
                tree.add(p);
                p.descendants().forEach(tree::add);
            }
        });
        synchronized (tree) {
            process.descendants().forEach(tree::add);
        }
    }

    /**
     * Stops the child: sends SIGTERM to {@code gracefully} if given (a watched program's broker, say;
     * a child JVM is asked by closing its stdin), waits up to {@code grace} for it to exit, then
     * closes the stdin (a watched program's group is killed) and kills whatever is left.
     *
     * @param gracefully the process to send SIGTERM to first, or null to only close the stdin
     * @param grace      how long a clean stop may take
     * @return true if it stopped within the grace period
     */
    public boolean stop(ProcessHandle gracefully, Duration grace) {
        long stopStarted = System.nanoTime();
        snapshotTree();
        if (gracefully != null && gracefully.isAlive()) {
            gracefully.destroy();
        } else {
            closeStdin();
        }
        boolean clean = awaitExit(gracefully != null ? List.of(gracefully, process.toHandle())
                : List.of(process.toHandle()), grace);
        LOG.debug("{}: {} stop after {} ms", what, clean ? "clean" : "unclean",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStarted));
        closeStdin();
        List<ProcessHandle> all;
        synchronized (tree) {
            all = new ArrayList<>(new LinkedHashSet<>(tree));
        }
        if (!reaped(Duration.ofSeconds(5))) {
            process.destroyForcibly();
            reaped(Duration.ofSeconds(5));
        }
        all.stream().filter(ChildProcess::isRunning).forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(all, Duration.ofSeconds(10))) {
            LOG.warn("Processes of {} still alive after SIGKILL: {}", what, all.stream().filter(ChildProcess::isRunning)
                    .map(p -> Long.toString(p.pid())).collect(Collectors.joining(", ")));
        }
        LOG.debug("{}: stopped in {} ms", what, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStarted));
        return clean;
    }

    /**
     * Waits until this JVM has reaped its own child: only then does {@link #isAlive()} say it ended
     * ({@link #isRunning} already counts the zombie before that as exited).
     */
    private boolean reaped(Duration timeout) {
        try {
            return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /**
     * The end of the child's log, for error messages.
     *
     * @return a description of the log and its last lines
     */
    public String logTail() {
        return "Last lines of " + log + ":\n" + tail(log, LOG_TAIL_LINES);
    }

    @Override
    public String toString() {
        return what + "[pid " + process.pid() + "]";
    }

    private void closeStdin() {
        try (java.io.OutputStream stdin = process.getOutputStream()) {
            stdin.write((STOP_LINE + "\n").getBytes(StandardCharsets.UTF_8)); // an ordinary stop, not a death
        } catch (IOException ignored) {
            // already closed, or the child is gone
        }
    }

    private String missing(Set<String> keys) {
        return keys.stream().filter(k -> !values.containsKey(k)).sorted().collect(Collectors.joining(", "));
    }

    private String exitText() {
        try {
            if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                return " (exit code " + process.exitValue() + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.isAlive() ? " (still running)" : "";
    }

    private void readValues(Consumer<String> otherLines) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                int eq = line.indexOf('=');
                if (eq > 0 && line.substring(0, eq).chars().allMatch(c -> c == '_' || Character.isUpperCase(c)
                        || Character.isDigit(c))) {
                    synchronized (values) {
                        values.put(line.substring(0, eq), line.substring(eq + 1));
                        values.notifyAll();
                    }
                } else {
                    otherLines.accept(line);
                }
            }
        } catch (IOException e) {
            // the child is gone
        } finally {
            synchronized (values) {
                outputEnded = true;
                values.notifyAll();
            }
        }
    }

    /**
     * Waits for processes to exit. Processes that are not this JVM's children cannot be waited for,
     * only looked at: their state is polled every few milliseconds ({@link ProcessHandle#onExit()}
     * polls them with a back-off of its own that adds up to seconds).
     *
     * @param handles the processes
     * @param timeout for all of them together
     * @return true if all exited
     */
    public static boolean awaitExit(List<ProcessHandle> handles, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle handle : handles) {
            while (isRunning(handle)) {
                if (System.nanoTime() - deadline >= 0) {
                    return false;
                }
                try {
                    Thread.sleep(EXIT_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether a process still runs. A zombie does not: it has exited and waits to be reaped, which an
     * init that does not reap orphans (some containers) never does, yet {@link ProcessHandle#isAlive()}
     * reports it alive.
     *
     * @param handle the process
     * @return true if it exists and is not a zombie
     */
    public static boolean isRunning(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            int afterName = stat.lastIndexOf(')'); // the name may hold spaces and parentheses
            return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return handle.isAlive(); // no /proc (not Linux), or it just went away
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The child's side

    /**
     * For a child JVM's main: keeps the real standard output for the protocol and sends whatever else
     * the JVM prints there to standard error.
     *
     * @return the stream for {@link #serveUntilStdinCloses}
     */
    public static PrintStream reserveStdout() {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        return protocol;
    }

    /**
     * For a child JVM's main: reports the values as {@code KEY=VALUE} lines, then blocks until
     * standard input reaches end-of-file (the parent closed it, or died).
     *
     * @param protocol the stream from {@link #reserveStdout()}
     * @param reported the values, keys in upper case
     * @return true if the parent stopped the child ({@link #STOP_LINE} came before the end of stdin),
     *         false if stdin just ended: the parent died (even by SIGKILL) without a word
     * @throws IOException if reading standard input fails
     */
    public static boolean serveUntilStdinCloses(PrintStream protocol, Map<String, String> reported) throws IOException {
        reported.forEach((k, v) -> protocol.println(Objects.requireNonNull(k) + "=" + Objects.requireNonNull(v)));
        protocol.flush();
        boolean told = false;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            told |= STOP_LINE.equals(line.strip()); // end-of-file is the signal to stop
        }
        return told;
    }

    // ---------------------------------------------------------------------------------------------
    // Logs

    /**
     * The end of a log, plus, for a long one, the lines from its first error on: a broker states the
     * cause of a failure first and then prints a long report.
     *
     * @param file  the log
     * @param lines how many lines at the end
     * @return the excerpt, or a note that the log is empty
     */
    public static String tail(Path file, int lines) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "";
        } catch (RuntimeException e) { // malformed input
            try {
                text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            } catch (IOException e2) {
                text = "";
            }
        }
        if (text.isBlank()) {
            return "(no output in " + file + ")";
        }
        List<String> all = text.lines().collect(Collectors.toList());
        if (all.size() <= 2 * lines) {
            return String.join("\n", all);
        }
        int tailStart = all.size() - lines;
        StringBuilder excerpt = new StringBuilder();
        for (int i = 0; i < tailStart; i++) {
            String line = all.get(i).toLowerCase(Locale.ROOT);
            if (line.contains("[error]") || line.contains(" error ") || line.startsWith("error")) {
                int end = Math.min(tailStart, i + lines / 2);
                excerpt.append(String.join("\n", all.subList(i, end))).append('\n');
                if (end < tailStart) {
                    excerpt.append("[...]\n");
                }
                break;
            }
        }
        return excerpt + String.join("\n", all.subList(tailStart, all.size()));
    }
}
