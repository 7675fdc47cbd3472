package io.latencylib.junit.spi;

import io.latencylib.junit.LatencySession;

/**
 * One messaging system for latency-lib-junit. The extension knows no broker: each system's adapter
 * jar ships an implementation, found with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/io.latencylib.junit.spi.LatencySystemProvider}, so a test classpath
 * holds only the systems the project uses.
 *
 * <p>The extension provisions one broker per system and test run, in this order, and publishes the
 * path taken in every test's report:
 * <ol>
 *   <li>the user's address: {@link Settings#get(String) setting} {@link #addressKey()}
 *       ({@code latency.<system>.<addressKey>} as JUnit configuration parameter or system property,
 *       else the environment variable {@code LATENCY_<SYSTEM>_<ADDRESSKEY>}): {@link #connect};</li>
 *   <li>with setting {@code testcontainers=true}: {@link #startContainer} (image: setting
 *       {@code testcontainers.image}, else {@link #defaultContainerImage()}); when it throws
 *       {@link Unavailable} the extension logs why and goes on to the embedded broker;</li>
 *   <li>otherwise {@link #startEmbedded}.</li>
 * </ol>
 * Implementations must be cheap to construct (no broker classes loaded until a method needs them)
 * and thread-safe; the extension calls each method at most once per run, except {@link #system()}
 * and {@link #sessionType()}.
 */
public interface LatencySystemProvider {

    /**
     * @return the system's short lower-case name ({@code kafka}, {@code pulsar}, {@code rabbitmq}): the
     *     value of {@code @LatencySLO(system = ...)} and the middle of its settings' names
     */
    String system();

    /** @return the session type a test asks for by parameter type (e.g. {@code KafkaSession.class}) */
    Class<? extends LatencySession> sessionType();

    /** @return the key of the address setting, e.g. {@code bootstrap} for {@code latency.kafka.bootstrap} */
    String addressKey();

    /** @return the Testcontainers image used when setting {@code testcontainers.image} is not given */
    String defaultContainerImage();

    /** Connects to the broker at {@code address}, which the user runs (it is never stopped). */
    ProvisionedBroker connect(String address, Settings settings);

    /**
     * Starts a Testcontainers container of {@code image}.
     *
     * @throws Unavailable when Testcontainers is not on the test classpath, Docker does not answer or
     *                     the container does not start: the message says which
     */
    ProvisionedBroker startContainer(String image, Settings settings) throws Unavailable;

    /**
     * Starts the embedded broker of this system.
     *
     * @throws Unavailable when it cannot (its module is not on the test classpath, the broker is not
     *                     installed): the message names the dependency or the fix
     */
    ProvisionedBroker startEmbedded(Settings settings) throws Unavailable;

    /** A provisioning path that cannot be taken, with the reason (a message a user can act on). */
    final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        /** @param reason what is missing and how to get it */
        public Unavailable(String reason) {
            super(reason);
        }

        /** @param reason what is missing and how to get it */
        public Unavailable(String reason, Throwable cause) {
            super(reason, cause);
        }
    }
}
