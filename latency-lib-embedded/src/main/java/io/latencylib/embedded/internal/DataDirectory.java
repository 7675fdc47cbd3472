package io.latencylib.embedded.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directories of embedded brokers: a fresh temporary directory under a parent, holding an
 * owner marker (the pid and start time of the JVM that created it); the directories of owners that
 * died without deleting theirs (SIGKILL) are swept by the next {@link #create}; recursive delete.
 */
public final class DataDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);

    /** The owner marker inside each data directory. */
    public static final String OWNER_FILE = ".latency-lib-owner";

    /** Start times of the same process read twice may differ by the clock-tick rounding. */
    private static final long START_TIME_TOLERANCE_MS = 1_000;

    private DataDirectory() {
    }

    /**
     * Deletes the directories {@code <parent>/<prefix>*} of owners that are no longer alive, then
     * creates a new one, {@code <parent>/<prefix><random>}, marked as this JVM's.
     *
     * @param parent where to create it (created if missing); null for {@code java.io.tmpdir}
     * @param prefix the broker kind's prefix, e.g. {@code embedded-kafka-}
     * @return the new directory, absolute
     * @throws IllegalStateException if it cannot be created
     */
    public static Path create(Path parent, String prefix) {
        Path base = (parent != null ? parent : Path.of(System.getProperty("java.io.tmpdir"))).toAbsolutePath();
        try {
            Files.createDirectories(base);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create the parent directory " + base + " for an embedded broker's"
                    + " data: " + e + ". Choose a writable parent directory.", e);
        }
        sweep(base, prefix);
        try {
            Path directory = Files.createTempDirectory(base, prefix);
            writeOwner(directory);
            return directory;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a data directory for an embedded broker under " + base
                    + ": " + e + ". Choose a writable parent directory.", e);
        }
    }

    /**
     * Deletes the directories {@code <parent>/<prefix>*} whose owner marker names a process that is no
     * longer alive. Directories without a marker, and those of live owners, are left alone.
     *
     * @param parent the parent directory
     * @param prefix the broker kind's prefix
     * @return how many directories were deleted
     */
    public static int sweep(Path parent, String prefix) {
        int deleted = 0;
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(parent, prefix + "*")) {
            for (Path candidate : candidates) {
                if (!Files.isDirectory(candidate) || !ownerIsDead(candidate.resolve(OWNER_FILE))) {
                    continue;
                }
                try {
                    deleteRecursively(candidate);
                    deleted++;
                    LOG.info("Deleted {}, left behind by an embedded broker whose JVM died without closing it",
                            candidate);
                } catch (IOException | UncheckedIOException e) {
                    LOG.debug("Could not delete the abandoned data directory {} (yet): {}", candidate, e.toString());
                }
            }
        } catch (IOException e) {
            LOG.debug("Could not look for abandoned data directories in {}: {}", parent, e.toString());
        }
        return deleted;
    }

    /**
     * Deletes a file or a directory tree; a missing one is fine.
     *
     * @param root what to delete
     * @throws IOException if something could not be deleted
     */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void writeOwner(Path directory) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        String text = "pid=" + self.pid() + "\n"
                + "start=" + self.info().startInstant().map(Instant::toEpochMilli).map(String::valueOf).orElse("") + "\n";
        Path tmp = directory.resolve(OWNER_FILE + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, directory.resolve(OWNER_FILE), StandardCopyOption.ATOMIC_MOVE);
    }

    /** True only when the marker is readable and names a process that is gone (or a reused pid). */
    private static boolean ownerIsDead(Path marker) {
        Properties owner = new Properties();
        try (var in = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
            owner.load(in);
        } catch (IOException e) {
            return false; // no marker (yet): not ours to judge
        }
        long pid;
        try {
            pid = Long.parseLong(owner.getProperty("pid", "").strip());
        } catch (NumberFormatException e) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ChildProcess::isRunning);
        if (process.isEmpty()) {
            return true;
        }
        String start = owner.getProperty("start", "").strip();
        Optional<Instant> started = process.get().info().startInstant();
        if (start.isEmpty() || started.isEmpty()) {
            return false; // alive, and nothing to tell a reused pid apart: leave it
        }
        try {
            return Math.abs(started.get().toEpochMilli() - Long.parseLong(start)) > START_TIME_TOLERANCE_MS;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
