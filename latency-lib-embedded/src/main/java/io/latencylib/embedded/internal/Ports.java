package io.latencylib.embedded.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loopback ports of embedded brokers: picking free ones, retrying a first start whose ports were
 * taken between the probe and the bind, and checking, before a restart, that a broker's ports are
 * still free.
 */
public final class Ports {

    private static final Logger LOG = LoggerFactory.getLogger(Ports.class);

    /** The address every embedded broker listens on. */
    public static final String LOOPBACK = "127.0.0.1";

    private static final Duration POLL = Duration.ofMillis(50);

    private Ports() {
    }

    /**
     * Ports on the loopback interface that were free a moment ago, all distinct.
     *
     * @param count how many
     * @return the ports
     * @throws UncheckedIOException if no socket can be bound at all
     */
    public static int[] freeLoopbackPorts(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket();
                sockets[i].bind(new InetSocketAddress(LOOPBACK, 0));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind a loopback port to find free ones", e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // it was only a probe
                    }
                }
            }
        }
    }

    /**
     * Whether a failure, or one of its causes, says that a port could not be bound.
     *
     * @param t a failure
     * @return true for a bind failure
     */
    public static boolean isBindFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof BindException) {
                return true;
            }
            String message = c.getMessage();
            if (message != null && (message.contains("Address already in use") || message.contains("failed to bind")
                    || message.toLowerCase(java.util.Locale.ROOT).contains("eaddrinuse"))) {
                return true;
            }
            for (Throwable s : c.getSuppressed()) {
                if (isBindFailure(s)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Runs a first start, and runs it again (the attempt picks new ports) as long as it fails because
     * a port was taken, up to {@code maxAttempts} times and while the deadline has not passed.
     *
     * @param what        the broker, for the log
     * @param maxAttempts at least 1
     * @param deadline    a {@link System#nanoTime()} deadline
     * @param attempt     one start with freshly picked ports; must clean up after itself when it fails
     * @param <T>         what the start returns
     * @return the result of the first successful attempt
     */
    public static <T> T retryOnBindFailure(String what, int maxAttempts, long deadline, Supplier<T> attempt) {
        for (int i = 1; ; i++) {
            try {
                return attempt.get();
            } catch (RuntimeException e) {
                if (i >= maxAttempts || !isBindFailure(e) || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                LOG.warn("{} could not bind its ports (attempt {} of {}), retrying with new ports: {}",
                        what, i, maxAttempts, e.getMessage());
            }
        }
    }

    /**
     * Whether something accepts TCP connections on a loopback port.
     *
     * @param port the port
     * @return true if a connection succeeded
     */
    public static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits until every port can be bound on the loopback interface again (a stopped broker may take
     * a moment to release them), so that a restart on the same ports does not fail halfway.
     *
     * @param what    the broker, for the message
     * @param timeout how long to wait
     * @param ports   the broker's ports
     * @throws IllegalStateException naming the ports still taken, and what to do
     */
    public static void awaitFree(String what, Duration timeout, int... ports) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Integer> taken = new ArrayList<>();
            for (int port : ports) {
                if (!canBind(port)) {
                    taken.add(port);
                }
            }
            if (taken.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException(what + " cannot start again: its port(s) " + taken + " on " + LOOPBACK
                        + " are taken by another process (still after " + timeout.toMillis() + " ms). A restart keeps"
                        + " the ports clients know; stop whatever took them, or close() this broker and start a new one.");
            }
            try {
                TimeUnit.NANOSECONDS.sleep(POLL.toNanos()); // polling the port's state, no event to wait for
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(what + ": interrupted while waiting for its ports", e);
            }
        }
    }

    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as the brokers' own listeners: connections in TIME_WAIT do not count
            socket.bind(new InetSocketAddress(LOOPBACK, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
