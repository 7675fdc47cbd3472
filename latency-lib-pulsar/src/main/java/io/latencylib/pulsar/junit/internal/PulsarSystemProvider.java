package io.latencylib.pulsar.junit.internal;

import io.latencylib.junit.LatencySession;
import io.latencylib.junit.spi.LatencySystemProvider;
import io.latencylib.junit.spi.ProvisionedBroker;
import io.latencylib.junit.spi.SessionContext;
import io.latencylib.junit.spi.Settings;
import io.latencylib.load.LoadDriver;
import io.latencylib.pulsar.PulsarLatency;
import io.latencylib.pulsar.PulsarLoadDriver;
import io.latencylib.pulsar.internal.PulsarAdminHttp;
import io.latencylib.pulsar.junit.PulsarSession;
import java.net.http.HttpResponse;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulsar for latency-lib-junit, found by service loading. Settings ({@code latency.pulsar.<key>} or
 * {@code LATENCY_PULSAR_<KEY>}):
 * <ul>
 *   <li>{@code url}: the service URL of a broker of yours ({@code pulsar://host:6650});</li>
 *   <li>{@code http}: its web service URL for the admin REST API; when absent, derived from {@code url}
 *       by Pulsar's default ports ({@code pulsar://host:6650} → {@code http://host:8080},
 *       {@code pulsar+ssl://host:6651} → {@code https://host:8443}, the first host of a list);</li>
 *   <li>{@code namespace}: the {@code tenant/namespace} of the topics tests get (default {@code public/default});</li>
 *   <li>{@code testcontainers=true}, {@code testcontainers.image}: a Testcontainers {@code PulsarContainer}
 *       (default image {@value #DEFAULT_IMAGE}) with broker publish times on.</li>
 * </ul>
 * Otherwise the embedded standalone of latency-lib-pulsar-embedded. The optional classes
 * (Testcontainers, the embedded broker) are touched only by nested classes loaded after a class check.
 * Internal: applications never call it.
 */
public final class PulsarSystemProvider implements LatencySystemProvider {

    /** The Testcontainers image unless {@code latency.pulsar.testcontainers.image} says otherwise. */
    public static final String DEFAULT_IMAGE = "apachepulsar/pulsar:4.0.7";

    static final String DEFAULT_NAMESPACE = "public/default";
    private static final String EMBEDDED_CLASS = "io.latencylib.pulsar.embedded.EmbeddedPulsar";
    private static final String CONTAINER_CLASS = "org.testcontainers.containers.PulsarContainer";
    private static final String INTERCEPTOR = "org.apache.pulsar.common.intercept.AppendBrokerTimestampMetadataInterceptor";
    private static final Pattern EXPOSED = Pattern.compile(
            "\"exposingBrokerEntryMetadataToClientEnabled\"\\s*:\\s*\"?true");
    private static final Logger log = LoggerFactory.getLogger("io.latencylib.junit");

    /** Made by {@link java.util.ServiceLoader}; loads no Pulsar, Testcontainers or broker class. */
    public PulsarSystemProvider() {
    }

    @Override
    public String system() {
        return PulsarLatency.SYSTEM;
    }

    @Override
    public Class<? extends LatencySession> sessionType() {
        return PulsarSession.class;
    }

    @Override
    public String addressKey() {
        return "url";
    }

    @Override
    public String defaultContainerImage() {
        return DEFAULT_IMAGE;
    }

    /**
     * Checks that the broker's admin API answers (a clear error naming the setting when not) and warns
     * when the broker does not hand its publish time to clients.
     */
    @Override
    public ProvisionedBroker connect(String address, Settings settings) {
        String serviceUrl = address.trim();
        if (!serviceUrl.matches("(?i)(pulsar|pulsar\\+ssl|http|https)://.+")) {
            throw new IllegalArgumentException("latency.pulsar.url must be a Pulsar service URL such as"
                    + " pulsar://localhost:6650, not '" + address + "'");
        }
        String httpUrl = settings.get("http").orElse(null);
        String httpSource = "latency.pulsar.http";
        if (httpUrl == null) {
            httpUrl = serviceUrl.matches("(?i)https?://.+") ? serviceUrl : PulsarAdminHttp.defaultHttpUrl(serviceUrl);
            httpSource = "derived from latency.pulsar.url by Pulsar's default ports";
            if (httpUrl == null) {
                throw new IllegalArgumentException("cannot derive the admin URL of the broker from latency.pulsar.url="
                        + serviceUrl + ": set latency.pulsar.http (or LATENCY_PULSAR_HTTP) to its web service URL,"
                        + " e.g. http://host:8080");
            }
        }
        if (!httpUrl.matches("(?i)https?://.+")) {
            throw new IllegalArgumentException("latency.pulsar.http must be the broker's web service URL such as"
                    + " http://localhost:8080, not '" + httpUrl + "'");
        }
        HttpResponse<String> clusters;
        try {
            clusters = PulsarAdminHttp.send(httpUrl, "GET", "/admin/v2/clusters", null);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("the Pulsar broker given by latency.pulsar.url=" + serviceUrl
                    + " cannot be used: its admin API at " + httpUrl + " (" + httpSource + ") does not answer ("
                    + e.getCause() + "); start the broker, or set latency.pulsar.http to its web service URL", e);
        }
        if (clusters.statusCode() / 100 != 2 && clusters.statusCode() != 401 && clusters.statusCode() != 403) {
            throw new IllegalStateException("the Pulsar broker given by latency.pulsar.url=" + serviceUrl
                    + " cannot be used: " + httpUrl + "/admin/v2/clusters (" + httpSource + ") answered HTTP "
                    + clusters.statusCode() + "; set latency.pulsar.http to the broker's web service URL");
        }
        warnWithoutBrokerTimestamps(httpUrl);
        return new Broker(serviceUrl, httpUrl, namespace(settings), null);
    }

    private static void warnWithoutBrokerTimestamps(String httpUrl) {
        try {
            HttpResponse<String> config = PulsarAdminHttp.send(httpUrl, "GET", "/admin/v2/brokers/configuration/runtime",
                    null);
            if (config.statusCode() / 100 == 2
                    && (!config.body().contains(INTERCEPTOR) || !EXPOSED.matcher(config.body()).find())) {
                log.warn("latency-lib: the Pulsar broker at {} does not hand its publish time to clients, so reports"
                        + " merge publish and commit (publish+commit); for the five-stage split set"
                        + " brokerEntryMetadataInterceptors={} and exposingBrokerEntryMetadataToClientEnabled=true"
                        + " in its configuration", httpUrl, INTERCEPTOR);
            }
        } catch (RuntimeException e) {
            log.debug("latency-lib: could not read the runtime configuration of {}: {}", httpUrl, e.toString());
        }
    }

    @Override
    public ProvisionedBroker startContainer(String image, Settings settings) throws Unavailable {
        if (!onClasspath(CONTAINER_CLASS) || !onClasspath("org.testcontainers.DockerClientFactory")) {
            throw new Unavailable("org.testcontainers:pulsar is not on the test classpath (add it with test scope to"
                    + " use latency.pulsar.testcontainers=true)");
        }
        try {
            String[] urls = new String[2];
            AutoCloseable stop = Container.start(image, urls);
            return new Broker(urls[0], urls[1], namespace(settings), stop);
        } catch (LinkageError e) {
            throw new Unavailable("Testcontainers could not be loaded: " + e, e);
        }
    }

    @Override
    public ProvisionedBroker startEmbedded(Settings settings) throws Unavailable {
        if (!onClasspath(EMBEDDED_CLASS)) {
            throw new Unavailable("no Pulsar broker: add io.latencylib:latency-lib-pulsar-embedded (test scope) for an"
                    + " embedded standalone, or set latency.pulsar.url (LATENCY_PULSAR_URL) to the service URL of a"
                    + " broker of yours");
        }
        String[] urls = new String[2];
        AutoCloseable stop;
        try {
            stop = Embedded.start(urls);
        } catch (RuntimeException | LinkageError e) {
            throw new Unavailable("the embedded Pulsar standalone (latency-lib-pulsar-embedded) did not start: "
                    + e.getMessage(), e);
        }
        return new Broker(urls[0], urls[1], namespace(settings), stop);
    }

    private static String namespace(Settings settings) {
        String namespace = settings.get("namespace").orElse(DEFAULT_NAMESPACE);
        if (!namespace.matches("[^/\\s]+/[^/\\s]+")) {
            throw new IllegalArgumentException("latency.pulsar.namespace must be tenant/namespace, e.g. public/default,"
                    + " not '" + namespace + "'");
        }
        return namespace;
    }

    private static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, PulsarSystemProvider.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The run's broker: where it is, and what stops it (null for a broker the user runs). */
    static final class Broker implements ProvisionedBroker {
        final String serviceUrl;
        final String httpUrl;
        final String namespace;
        private final AutoCloseable owned;

        Broker(String serviceUrl, String httpUrl, String namespace, AutoCloseable owned) {
            this.serviceUrl = serviceUrl;
            this.httpUrl = httpUrl;
            this.namespace = namespace;
            this.owned = owned;
        }

        @Override
        public String address() {
            return serviceUrl;
        }

        @Override
        public LoadDriver newLoadDriver() {
            return PulsarLoadDriver.builder(serviceUrl).adminUrl(httpUrl).namespace(namespace).build();
        }

        @Override
        public LatencySession openSession(SessionContext context) {
            return new DefaultPulsarSession(this, context);
        }

        @Override
        public void close() {
            if (owned != null) {
                try {
                    owned.close();
                } catch (Exception e) {
                    log.warn("latency-lib: stopping the Pulsar broker at {} failed", serviceUrl, e);
                }
            }
        }

        @Override
        public String toString() {
            return "Pulsar at " + serviceUrl + " (admin " + httpUrl + ")";
        }
    }

    /** The only code that touches latency-lib-pulsar-embedded (optional): loaded after the class check. */
    private static final class Embedded {
        static AutoCloseable start(String[] urls) {
            io.latencylib.pulsar.embedded.EmbeddedPulsar pulsar = io.latencylib.pulsar.embedded.EmbeddedPulsar.builder()
                    .start();
            urls[0] = pulsar.serviceUrl();
            urls[1] = pulsar.httpUrl();
            return pulsar;
        }
    }

    /** The only code that touches Testcontainers (optional): loaded after the class check. */
    private static final class Container {
        static AutoCloseable start(String image, String[] urls) throws Unavailable {
            if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
                throw new Unavailable("Docker is not available (Testcontainers found no Docker environment)");
            }
            org.testcontainers.containers.PulsarContainer container = new org.testcontainers.containers.PulsarContainer(
                    org.testcontainers.utility.DockerImageName.parse(image).asCompatibleSubstituteFor("apachepulsar/pulsar"))
                    // the broker hands its publish time to clients: the five-stage split (apply-config-from-env.py)
                    .withEnv("PULSAR_PREFIX_brokerEntryMetadataInterceptors", INTERCEPTOR)
                    .withEnv("PULSAR_PREFIX_exposingBrokerEntryMetadataToClientEnabled", "true");
            try {
                container.start();
            } catch (RuntimeException e) {
                container.close();
                throw new Unavailable("the Pulsar container (" + image + ") did not start: " + e, e);
            }
            urls[0] = container.getPulsarBrokerUrl();
            urls[1] = container.getHttpServiceUrl();
            return container::stop;
        }
    }
}
