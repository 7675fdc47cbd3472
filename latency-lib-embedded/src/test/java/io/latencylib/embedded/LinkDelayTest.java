package io.latencylib.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.latencylib.embedded.internal.Ports;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The delaying proxy between a client and a small echo server on loopback. */
class LinkDelayTest {

    private static final int TIMEOUT_MILLIS = 30_000;

    private EchoServer echo;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new EchoServer();
    }

    @AfterEach
    void stopEcho() throws IOException {
        echo.close();
    }

    @Test
    void aDelayToTheClientAddsItselfToEveryRoundTripAndNoMore() throws Exception {
        Duration delay = Duration.ofMillis(20);
        try (LinkDelay link = LinkDelay.to(Ports.LOOPBACK, echo.port());
             Socket direct = connect(echo.port());
             Socket proxied = connect(link.port())) {
            assertThat(link.address()).isEqualTo("127.0.0.1:" + link.port());
            roundTrips(direct, 50);                                   // warm-up
            roundTrips(proxied, 50);
            long directMedian = median(roundTrips(direct, 50));
            long baselineMedian = median(roundTrips(proxied, 50));

            link.delayToClient(delay);
            long[] delayed = roundTrips(proxied, 50);
            long delayedMedian = median(delayed);
            System.out.printf("LinkDelay round trip medians: direct %.3f ms, proxy %.3f ms, proxy with %d ms "
                            + "to the client %.3f ms (min %.3f ms), growth %.3f ms%n",
                    ms(directMedian), ms(baselineMedian), delay.toMillis(), ms(delayedMedian),
                    ms(min(delayed)), ms(delayedMedian - baselineMedian));

            assertThat(min(delayed)).as("the fastest round trip").isGreaterThanOrEqualTo(delay.toNanos());
            assertThat(delayedMedian - baselineMedian)
                    .isBetween(delay.toNanos() - Duration.ofMillis(2).toNanos(), delay.plusMillis(10).toNanos());
        }
    }

    @Test
    void megabytesArriveCompleteAndInOrderBothWaysWhileTheDelaysChange() throws Exception {
        byte[] sent = new byte[8 * 1024 * 1024];
        new Random(42).nextBytes(sent);
        try (LinkDelay link = LinkDelay.to(Ports.LOOPBACK, echo.port());
             Socket socket = connect(link.port())) {
            link.delayToServer(Duration.ofMillis(5)).delayToClient(Duration.ofMillis(30));
            long start = System.nanoTime();
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int off = 0; off < sent.length; off += 50_000) {
                        out.write(sent, off, Math.min(50_000, sent.length - off));
                    }
                    socket.shutdownOutput();                          // the half-close travels too
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] received = new byte[sent.length + 1];
            int total = 0;
            InputStream in = socket.getInputStream();
            boolean lowered = false;
            boolean raised = false;
            for (int n; (n = in.read(received, total, received.length - total)) > 0; ) {
                total += n;
                if (!lowered && total > sent.length / 3) {
                    link.delayToClient(Duration.ZERO);                // later chunks may overtake none
                    lowered = true;
                }
                if (!raised && total > 2 * (sent.length / 3)) {
                    link.delayToClient(Duration.ofMillis(10)).delayToServer(Duration.ZERO);
                    raised = true;
                }
            }
            writing.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            System.out.printf("LinkDelay: %d bytes echoed through the proxy in %.1f ms%n",
                    total, ms(System.nanoTime() - start));

            assertThat(total).isEqualTo(sent.length);                 // and then EOF: the echo's half-close
            assertThat(Arrays.mismatch(sent, 0, sent.length, received, 0, total)).isEqualTo(-1);
        }
    }

    @Test
    void aChangedDelayHoldsForTheRoundTripsThatFollow() throws Exception {
        try (LinkDelay link = LinkDelay.to(Ports.LOOPBACK, echo.port());
             Socket socket = connect(link.port())) {
            roundTrips(socket, 20);

            link.delayToClient(Duration.ofMillis(60));
            long[] toClient60 = roundTrips(socket, 5);
            link.delayToClient(Duration.ZERO);
            long[] none = roundTrips(socket, 9);
            link.delayToServer(Duration.ofMillis(40));
            long[] toServer40 = roundTrips(socket, 5);
            link.delayToServer(Duration.ofMillis(10)).delayToClient(Duration.ofMillis(15));
            long[] both = roundTrips(socket, 5);
            System.out.printf("LinkDelay round trip medians: 60 ms to the client %.3f ms, none %.3f ms, "
                            + "40 ms to the server %.3f ms, 10 + 15 ms %.3f ms%n",
                    ms(median(toClient60)), ms(median(none)), ms(median(toServer40)), ms(median(both)));

            assertThat(min(toClient60)).as("the fastest round trip").isGreaterThanOrEqualTo(millis(60));
            assertThat(median(none)).isLessThan(millis(30));
            assertThat(min(toServer40)).as("the fastest round trip").isGreaterThanOrEqualTo(millis(40));
            assertThat(median(toServer40)).isLessThan(millis(60));
            assertThat(min(both)).as("the fastest round trip").isGreaterThanOrEqualTo(millis(25));
            assertThat(median(both)).isLessThan(millis(40));
        }
    }

    @Test
    void closeFreesThePortAndEndsTheConnectionsOnBothSides() throws Exception {
        LinkDelay link = LinkDelay.to(Ports.LOOPBACK, echo.port()).delayToClient(Duration.ofMillis(5));
        int port = link.port();
        try (Socket socket = connect(port)) {
            roundTrips(socket, 1);                                    // connected end to end
            link.close();

            assertThat(socket.getInputStream().read()).as("the client sees EOF").isEqualTo(-1);
            assertThat(echo.ended.tryAcquire(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS))
                    .as("the server's connection ended").isTrue();
            assertThat(Ports.acceptsConnections(port)).isFalse();
            try (ServerSocket again = new ServerSocket()) {
                again.bind(new InetSocketAddress(Ports.LOOPBACK, port));
                assertThat(again.getLocalPort()).isEqualTo(port);
            }
            link.close();                                             // idempotent
        }
    }

    @Test
    void aClientWhoseTargetCannotBeReachedIsDisconnected() throws Exception {
        int nobody = Ports.freeLoopbackPorts(1)[0];
        try (LinkDelay link = LinkDelay.to(Ports.LOOPBACK, nobody);
             Socket socket = connect(link.port())) {
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.connect(new InetSocketAddress(Ports.LOOPBACK, port), TIMEOUT_MILLIS);
        return socket;
    }

    /** Round trips of 16 bytes each; nanoseconds. */
    private static long[] roundTrips(Socket socket, int count) throws IOException {
        byte[] message = new byte[16];
        long[] rtts = new long[count];
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        for (int i = 0; i < count; i++) {
            Arrays.fill(message, (byte) i);
            long start = System.nanoTime();
            out.write(message);
            byte[] back = in.readNBytes(message.length);
            rtts[i] = System.nanoTime() - start;
            assertThat(back).isEqualTo(message);
        }
        return rtts;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long min(long[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static long millis(int millis) {
        return Duration.ofMillis(millis).toNanos();
    }

    /** Echoes every connection's bytes back, then half-closes when the client has. */
    private static final class EchoServer implements AutoCloseable {
        final ServerSocket listener = new ServerSocket();
        final Semaphore ended = new Semaphore(0);

        EchoServer() throws IOException {
            listener.bind(new InetSocketAddress(Ports.LOOPBACK, 0));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket socket = listener.accept();
                        socket.setTcpNoDelay(true);
                        Thread echo = new Thread(() -> echo(socket), "echo-connection");
                        echo.setDaemon(true);
                        echo.start();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "echo-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private void echo(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                byte[] buffer = new byte[32 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                }
                socket.shutdownOutput();
            } catch (IOException e) {
                // the connection ended by a reset: ended all the same
            } finally {
                ended.release();
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
