package io.latencylib.kafka.compat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Kafka broker ({@code io.latencylib.kafka.embedded.EmbeddedKafka.main}) in a child JVM, so that the
 * test JVM can hold a kafka-clients version the broker's jars cannot run with.
 *
 * <p>The child prints {@code BOOTSTRAP_SERVERS=host:port} and runs until its stdin is closed, which
 * {@link #close()} does (and which also happens when this JVM dies). {@link #close()} destroys the
 * child if it does not stop by itself, and fails when it had to, so that nothing is left running
 * unnoticed.
 */
final class ChildJvmKafka implements AutoCloseable {

    private static final String MAIN_CLASS = "io.latencylib.kafka.embedded.EmbeddedKafka";
    private static final String BOOTSTRAP_PREFIX = "BOOTSTRAP_SERVERS=";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path log;
    private final String bootstrapServers;
    private final Thread killOnExit;

    private ChildJvmKafka(Process process, Path log, String bootstrapServers, Thread killOnExit) {
        this.process = process;
        this.log = log;
        this.bootstrapServers = bootstrapServers;
        this.killOnExit = killOnExit;
    }

    /**
     * Starts the broker and waits for its bootstrap line.
     *
     * @param classpath the broker's classpath (kafka_2.13, kafka-clients of the broker's version, ...)
     * @param log       file receiving the child's stderr (its log output)
     */
    static ChildJvmKafka start(String classpath, Path log) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(List.of(
                java.toString(),
                "-Xmx512m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.controller.QuorumController=error",
                "-cp", classpath,
                MAIN_CLASS))
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()));
        Process process = builder.start();
        Thread killOnExit = new Thread(process::destroyForcibly, "child-jvm-kafka-kill");
        Runtime.getRuntime().addShutdownHook(killOnExit);

        // Reads stdout on its own thread: the bootstrap line, then whatever else, so the pipe never fills.
        CompletableFuture<String> bootstrap = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (!bootstrap.isDone() && line.startsWith(BOOTSTRAP_PREFIX)) {
                        bootstrap.complete(line.substring(BOOTSTRAP_PREFIX.length()).trim());
                    }
                }
                bootstrap.completeExceptionally(new IllegalStateException("stdout closed"));
            } catch (IOException | RuntimeException e) {
                bootstrap.completeExceptionally(e);
            }
        }, "child-jvm-kafka-stdout");
        reader.setDaemon(true);
        reader.start();

        try {
            String servers = bootstrap.get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new ChildJvmKafka(process, log, servers, killOnExit);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            String why = e instanceof TimeoutException ? "no bootstrap line within " + STARTUP_TIMEOUT.toSeconds() + " s"
                    : e instanceof InterruptedException ? "interrupted" : String.valueOf(e.getCause());
            kill(process);
            Runtime.getRuntime().removeShutdownHook(killOnExit);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the broker in a child JVM did not start (" + why + ", exit code "
                    + (process.isAlive() ? "none" : process.exitValue()) + "); its log " + log + " ends with:\n"
                    + tail(log), e);
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** Closes the child's stdin, so it shuts the broker down, and waits; destroys it if it does not exit. */
    @Override
    public void close() {
        try {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // the child is gone already; checked below
            }
            if (process.waitFor(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                if (process.exitValue() != 0) {
                    throw new IllegalStateException("the broker in a child JVM exited with " + process.exitValue()
                            + "; its log " + log + " ends with:\n" + tail(log));
                }
                return;
            }
            kill(process);
            throw new IllegalStateException("the broker in a child JVM did not stop within "
                    + SHUTDOWN_TIMEOUT.toSeconds() + " s of its stdin being closed and was destroyed; its log "
                    + log + " ends with:\n" + tail(log));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the broker in a child JVM; destroyed it", e);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private static void kill(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
