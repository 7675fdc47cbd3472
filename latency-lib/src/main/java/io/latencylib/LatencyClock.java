package io.latencylib;

import java.time.Instant;

/**
 * The wall clock the library reads, in microseconds since the Unix epoch.
 *
 * <p>The library's instants (send, ack, ready, receive) are wall-clock instants so that they can be
 * compared with a broker's own timestamps. {@link #system()} reads {@link Instant#now()}, which has
 * microsecond resolution on Linux with Java 17. Tests may supply their own clock to drive time.
 */
@FunctionalInterface
public interface LatencyClock {

    /** @return the current wall-clock time in microseconds since 1970-01-01T00:00:00Z */
    long nowMicros();

    /** @return the system wall clock with microsecond resolution */
    static LatencyClock system() {
        return SystemClock.INSTANCE;
    }
}

/** The system wall clock; {@code Instant.now()} is scalar-replaced by the JIT, so reading it allocates nothing. */
enum SystemClock implements LatencyClock {
    INSTANCE;

    @Override
    public long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
