package io.latencylib.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.latencylib.embedded.internal.DelayedConnection;
import io.latencylib.embedded.internal.Ports;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on the loopback interface that delays one link, for tests that need messages to be
 * late on their way (for example from a broker to one consumer) without touching the broker or the
 * client.
 *
 * <pre>{@code
 * try (LinkDelay link = LinkDelay.to("127.0.0.1", brokerPort)) {
 *     factory.setPort(link.port());                        // the client connects to the proxy
 *     link.delayToClient(Duration.ofMillis(20));           // broker -> client bytes arrive 20 ms late
 *     ...
 * }
 * }</pre>
 *
 * <p>Every connection accepted on {@link #port()} is forwarded to the target given to
 * {@link #to(String, int)}, with a connection of its own. A delay shifts each chunk of bytes: a chunk
 * read from one side at instant {@code t} is written to the other side at {@code t + delay}. The delay
 * is not cumulative: throughput is unchanged, only later; order is kept in each direction. Setting a
 * delay takes effect for the chunks read after it; a chunk already on its way keeps its instant, and
 * a chunk is never written before the ones read ahead of it. The end of a stream (a half-close) is
 * delayed like data. A direction holds at most 64 MiB in flight; a faster sender is slowed down, as
 * TCP would slow it.
 *
 * <p>Every connection uses four daemon threads (a reader and a writer in each direction) named after
 * the proxy, {@code link-delay-PORT#N-...}. The methods are thread-safe.
 */
public final class LinkDelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LinkDelay.class);

    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket listener;
    private final String name;
    private final Thread acceptor;
    private final Set<DelayedConnection> connections = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private volatile long toClientNanos;
    private volatile long toServerNanos;
    private boolean closed;
    private int accepted;

    private LinkDelay(String targetHost, int targetPort, ServerSocket listener) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = listener;
        this.name = "link-delay-" + listener.getLocalPort();
        this.acceptor = new Thread(this::accept, name + "-acceptor");
        acceptor.setDaemon(true);
    }

    /**
     * Starts a proxy listening on a free loopback port ({@link Ports#LOOPBACK}) that forwards every
     * connection to the target, with no delay until one is set. The target is connected to when a
     * client connects; if it cannot be reached then, the client's connection is closed.
     *
     * @param host the target's host, e.g. a broker's
     * @param port the target's port
     * @return the running proxy; {@link #close()} it
     * @throws UncheckedIOException if no loopback port can be bound
     */
    public static LinkDelay to(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("not a port: " + port);
        }
        ServerSocket listener;
        try {
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(Ports.LOOPBACK, 0));
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind a loopback port for a proxy to " + host + ":" + port, e);
        }
        LinkDelay link = new LinkDelay(host, port, listener);
        link.acceptor.start();
        return link;
    }

    /**
     * The port clients connect to instead of the target's.
     *
     * @return the proxy's loopback port
     */
    public int port() {
        return listener.getLocalPort();
    }

    /**
     * The address clients connect to instead of the target's, as {@code 127.0.0.1:PORT} (the literal
     * address the proxy listens on, so that no client resolves {@code localhost} to an IPv6 address
     * nothing listens on).
     *
     * @return {@code host:port} of the proxy
     */
    public String address() {
        return Ports.LOOPBACK + ":" + port();
    }

    /**
     * Sets the delay of the bytes going from the target (server) to the client, for every connection,
     * from now on.
     *
     * @param delay zero or more
     * @return this proxy
     * @throws IllegalArgumentException if the delay is negative
     */
    public LinkDelay delayToClient(Duration delay) {
        toClientNanos = nanos(delay);
        return this;
    }

    /**
     * Sets the delay of the bytes going from the client to the target (server), for every connection,
     * from now on.
     *
     * @param delay zero or more
     * @return this proxy
     * @throws IllegalArgumentException if the delay is negative
     */
    public LinkDelay delayToServer(Duration delay) {
        toServerNanos = nanos(delay);
        return this;
    }

    /**
     * Stops listening (the port is free again) and closes every connection on both sides (the client
     * and the target see their connection end; bytes still on their way are dropped). Returns once the
     * proxy's threads have ended. Idempotent.
     */
    @Override
    public void close() {
        List<DelayedConnection> open;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(connections);
        }
        try {
            listener.close();
        } catch (IOException e) {
            LOG.debug("{}: closing the listener: {}", name, e.toString());
        }
        open.forEach(DelayedConnection::close);
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        try {
            acceptor.join(CLOSE_TIMEOUT.toMillis());
            for (DelayedConnection connection : open) {
                if (!connection.awaitTermination(deadline)) {
                    LOG.warn("{}: a connection's threads did not end within {}", name, CLOSE_TIMEOUT);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " -> " + targetHost + ":" + targetPort;
    }

    private static long nanos(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("a delay cannot be negative: " + delay);
        }
        return delay.toNanos();
    }

    private void accept() {
        while (true) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    LOG.warn("{}: accepting failed, no more connections: {}", name, e.toString());
                }
                return;
            }
            Socket server = new Socket();
            try {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(new InetSocketAddress(targetHost, targetPort), CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                LOG.warn("{}: cannot reach {}:{}, closing the client's connection: {}",
                        name, targetHost, targetPort, e.toString());
                closeQuietly(server);
                closeQuietly(client);
                continue;
            }
            synchronized (lock) {
                if (closed) {
                    closeQuietly(server);
                    closeQuietly(client);
                    return;
                }
                DelayedConnection connection = new DelayedConnection(name + "#" + (++accepted), client, server,
                        () -> toClientNanos, () -> toServerNanos, connections::remove);
                connections.add(connection);
                connection.start();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
