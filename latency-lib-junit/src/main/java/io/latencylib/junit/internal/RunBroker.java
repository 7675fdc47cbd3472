package io.latencylib.junit.internal;

import io.latencylib.LatencyRecorder;
import io.latencylib.junit.spi.LatencySystemProvider;
import io.latencylib.junit.spi.ProvisionedBroker;
import io.latencylib.load.LoadReport;
import io.latencylib.load.LoadRun;
import io.latencylib.load.Schedule;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker of one system for a whole test run: provisioned on first use (the user's address,
 * else Testcontainers when asked for, else the embedded broker), warmed up, kept in JUnit's root
 * {@link ExtensionContext.Store} and closed by JUnit at the end of the run. Internal.
 */
public final class RunBroker implements ExtensionContext.Store.CloseableResource {

    /** Setting of each system: how long the run's warm-up lasts ({@code 0s}: none). */
    public static final String WARMUP_KEY = "warmup";
    /** The run's warm-up when {@link #WARMUP_KEY} is not set. */
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(3);
    /** Messages per second of the run's warm-up. */
    public static final double WARMUP_RATE = 1_000;

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.junit");
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create("io.latencylib.junit", "broker");

    private final String system;
    private final ProvisionedBroker broker;
    private final String description;

    RunBroker(String system, ProvisionedBroker broker, String description) {
        this.system = system;
        this.broker = broker;
        this.description = description;
    }

    /** @return the run's broker of {@code provider}'s system, provisioned and warmed up by the first caller */
    public static RunBroker of(ExtensionContext context, LatencySystemProvider provider) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(provider.system(),
                k -> provision(provider, new SystemSettings(provider.system(), context::getConfigurationParameter,
                        System::getenv)), RunBroker.class);
    }

    /** Chooses the path, provisions the broker, then runs the warm-up (setting {@value #WARMUP_KEY}). */
    public static RunBroker provision(LatencySystemProvider provider, SystemSettings settings) {
        RunBroker run = start(provider, settings);
        log.info("latency-lib-junit: {} broker for this test run: {}", provider.system(), run.description);
        try {
            run.warmUp(settings);
        } catch (RuntimeException | Error e) {
            run.closeQuietly();
            throw e;
        }
        return run;
    }

    private static RunBroker start(LatencySystemProvider provider, SystemSettings settings) {
        String system = provider.system();
        String addressKey = provider.addressKey();
        Optional<String> address = settings.get(addressKey);
        if (address.isPresent()) {
            ProvisionedBroker b = provider.connect(address.get(), settings);
            return new RunBroker(system, b, "address: the broker at " + b.address() + ", given by "
                    + settings.source(addressKey));
        }
        String fallback = "";
        if (settings.isTrue("testcontainers")) {
            String image = settings.get("testcontainers.image").orElse(provider.defaultContainerImage());
            try {
                ProvisionedBroker b = provider.startContainer(image, settings);
                return new RunBroker(system, b, "testcontainers: a Testcontainers container (" + image + ") at "
                        + b.address() + ", asked for by " + settings.source("testcontainers") + "=true");
            } catch (LatencySystemProvider.Unavailable e) {
                fallback = "; " + settings.property("testcontainers") + "=true was set but " + e.getMessage()
                        + ", so the embedded broker is used";
                log.warn("latency-lib-junit: {}=true was set but {}; falling back to the embedded {} broker",
                        settings.property("testcontainers"), e.getMessage(), system);
            }
        }
        try {
            ProvisionedBroker b = provider.startEmbedded(settings);
            return new RunBroker(system, b, "embedded: the embedded " + system + " broker at " + b.address()
                    + ", started for this test run" + fallback);
        } catch (LatencySystemProvider.Unavailable e) {
            throw new ExtensionConfigurationException("latency-lib-junit has no " + system + " broker: "
                    + e.getMessage() + "; or set " + settings.property(addressKey) + " (or "
                    + settings.variable(addressKey) + ") to the address of a broker" + fallback, e);
        }
    }

    /** Paced load through a throwaway recorder: client, library and broker paths compiled before the first test. */
    private void warmUp(SystemSettings settings) {
        Duration warmUp;
        try {
            warmUp = settings.get(WARMUP_KEY).map(t -> Attributes.warmUp(t, settings.property(WARMUP_KEY)))
                    .orElse(DEFAULT_WARMUP);
        } catch (IllegalArgumentException e) {
            // the message names the setting, its range and quotes at most 60 characters: no cause needed
            throw new ExtensionConfigurationException(e.getMessage());
        }
        if (warmUp.isZero()) {
            return;
        }
        long start = System.nanoTime();
        LoadReport report = LoadRun.builder(broker.newLoadDriver())
                .destination("latency-warmup-" + UUID.randomUUID().toString().substring(0, 8))
                .schedule(Schedule.constant(WARMUP_RATE, warmUp))
                .messageSize(1024)
                .recorder(LatencyRecorder.create())
                .run();
        log.info("latency-lib-junit: {} run warm-up: {} messages in {} s (not measured by any test; {}=0s skips it)",
                system, report.sent(), String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9),
                settings.property(WARMUP_KEY));
    }

    /** @return the system of this broker ({@code kafka}, ...) */
    public String system() {
        return system;
    }

    /** @return the system's broker as the provider provisioned it */
    public ProvisionedBroker broker() {
        return broker;
    }

    /** @return which path was taken ({@code address:}, {@code testcontainers:} or {@code embedded:}) and why, in one line */
    public String description() {
        return description;
    }

    private void closeQuietly() {
        try {
            broker.close();
        } catch (RuntimeException e) {
            log.warn("latency-lib-junit: closing the {} broker failed", system, e);
        }
    }

    @Override
    public void close() {
        broker.close();
        log.debug("latency-lib-junit: closed {}", description);
    }

    @Override
    public String toString() {
        return description;
    }

    /** For tests: provisions with settings read from {@code parameters} and {@code environment}. */
    static RunBroker provision(LatencySystemProvider provider, Function<String, Optional<String>> parameters,
                               Function<String, String> environment) {
        return provision(provider, new SystemSettings(provider.system(), parameters, environment));
    }
}
