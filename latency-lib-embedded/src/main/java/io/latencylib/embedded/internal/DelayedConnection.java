package io.latencylib.embedded.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of a {@code LinkDelay}: the client's socket and the server's, joined by two
 * delayed directions. In each direction a reader thread stamps every chunk it reads with its due
 * instant (read instant plus the direction's delay at that moment) and queues it; a writer thread
 * parks until the chunk is due and writes it to the other side. Order is kept per direction (a chunk
 * is never written before the one read ahead of it, even if the delay was lowered in between).
 *
 * <p>End of stream travels like data: the writer shuts the other side's output down once every chunk
 * read before the end has been written, and the pair is closed when both directions have ended. A
 * failure on either side (reset, write error) closes both sockets at once.
 */
public final class DelayedConnection {

    private static final Logger LOG = LoggerFactory.getLogger(DelayedConnection.class);

    /** Largest chunk one read takes. */
    private static final int CHUNK = 64 * 1024;

    /**
     * Bytes a direction holds in flight at most; a sender faster than that over the delay is slowed
     * down as TCP itself would (reading stops until bytes were written), instead of filling the heap.
     */
    static final int MAX_IN_FLIGHT = 64 * 1024 * 1024;

    private final String name;
    private final Socket client;
    private final Socket server;
    private final Direction toClient;
    private final Direction toServer;
    private final Consumer<DelayedConnection> onClosed;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger directionsEnded = new AtomicInteger();

    /**
     * @param name               prefix of the four threads' names
     * @param client             the accepted socket
     * @param server             the socket connected to the target
     * @param toClientDelayNanos the current delay from server to client, read once per chunk
     * @param toServerDelayNanos the current delay from client to server, read once per chunk
     * @param onClosed           called once when both sockets have been closed
     */
    public DelayedConnection(String name, Socket client, Socket server, LongSupplier toClientDelayNanos,
                             LongSupplier toServerDelayNanos, Consumer<DelayedConnection> onClosed) {
        this.name = name;
        this.client = client;
        this.server = server;
        this.onClosed = onClosed;
        this.toClient = new Direction("to-client", server, client, toClientDelayNanos);
        this.toServer = new Direction("to-server", client, server, toServerDelayNanos);
    }

    /** Starts the four threads. */
    public void start() {
        toClient.start();
        toServer.start();
    }

    /** Closes both sockets now (chunks still queued are dropped) and wakes the threads. Idempotent. */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(client);
        closeQuietly(server);
        toClient.wake();
        toServer.wake();
        onClosed.accept(this);
    }

    /**
     * Waits for the four threads to end.
     *
     * @param deadlineNanos a {@link System#nanoTime()} instant
     * @return true if they all ended before the deadline
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitTermination(long deadlineNanos) throws InterruptedException {
        for (Thread t : new Thread[] {toClient.reader, toClient.writer, toServer.reader, toServer.writer}) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return !t.isAlive();
            }
            t.join(Math.max(1, left / 1_000_000));
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    private void directionEnded() {
        if (directionsEnded.incrementAndGet() == 2) {
            close();
        }
    }

    private void fail(String what, Exception e) {
        if (!closed.get()) {
            LOG.debug("{}: {} failed, closing both sides: {}", name, what, e.toString());
        }
        close();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** A chunk and the instant it is due; {@code bytes == null} marks the end of stream. */
    private record Chunk(long dueNanos, byte[] bytes) {
    }

    /** One direction: reads from one socket, writes to the other at the due instants. */
    private final class Direction {
        final Socket from;
        final Socket to;
        final LongSupplier delayNanos;
        final BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        final Thread reader;
        final Thread writer;

        Direction(String label, Socket from, Socket to, LongSupplier delayNanos) {
            this.from = from;
            this.to = to;
            this.delayNanos = delayNanos;
            this.reader = new Thread(this::read, name + "-" + label + "-reader");
            this.writer = new Thread(this::write, name + "-" + label + "-writer");
            reader.setDaemon(true);
            writer.setDaemon(true);
        }

        void start() {
            reader.start();
            writer.start();
        }

        void wake() {
            reader.interrupt();
            writer.interrupt();
        }

        private void read() {
            byte[] buffer = new byte[CHUNK];
            try {
                InputStream in = from.getInputStream();
                while (true) {
                    int n = in.read(buffer);
                    long due = System.nanoTime() + delayNanos.getAsLong();
                    if (n < 0) {
                        queue.put(new Chunk(due, null));
                        return;
                    }
                    inFlight.acquire(n);
                    queue.put(new Chunk(due, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException e) {
                fail("reading", e);
            } catch (InterruptedException e) {
                close();
            }
        }

        private void write() {
            try {
                OutputStream out = to.getOutputStream();
                while (!closed.get()) {
                    Chunk chunk = queue.take();
                    for (long left; (left = chunk.dueNanos() - System.nanoTime()) > 0; ) {
                        LockSupport.parkNanos(this, left);
                        if (closed.get()) {
                            return;
                        }
                    }
                    if (chunk.bytes() == null) {
                        to.shutdownOutput();
                        directionEnded();
                        return;
                    }
                    out.write(chunk.bytes());
                    inFlight.release(chunk.bytes().length);
                }
            } catch (IOException e) {
                fail("writing", e);
            } catch (InterruptedException e) {
                close();
            }
        }
    }
}
