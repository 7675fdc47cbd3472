package io.latencylib.pulsar.embedded.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.transfer.AbstractTransferListener;
import org.eclipse.aether.transfer.TransferEvent;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.repository.JreProxySelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classpath of the child JVM that runs the standalone: {@code org.apache.pulsar:pulsar-broker} and
 * its runtime dependencies, resolved by Maven Resolver into the local Maven repository (downloaded from
 * Maven Central the first time, as Maven itself would), plus the jars holding {@link StandaloneMain}.
 * Resolved once per JVM. Internal.
 */
public final class BrokerClasspath {

    private static final Logger LOG = LoggerFactory.getLogger("io.latencylib.pulsar.embedded.EmbeddedPulsar");

    /** Maven Central, under the id Maven gives it (the local repository records where each file came from). */
    public static final String CENTRAL = "https://repo.maven.apache.org/maven2/";
    /** Setting: the local Maven repository the broker's jars are resolved into. */
    public static final String LOCAL_REPOSITORY = "latency.pulsar.localRepository";
    /** Setting: the remote Maven repository (or mirror of Maven Central) they are downloaded from. */
    public static final String REMOTE_REPOSITORY = "latency.pulsar.remoteRepository";

    private static List<Path> resolved;

    private BrokerClasspath() {
    }

    /** @return the child JVM's classpath entries: this module's classes first, then the broker's jars */
    public static synchronized List<Path> get() {
        if (resolved == null) {
            List<Path> entries = new ArrayList<>();
            entries.add(codeSource(StandaloneMain.class));
            entries.addAll(resolveBroker());
            resolved = List.copyOf(entries);
        }
        return resolved;
    }

    /** @return the jar (or classes directory) a class was loaded from */
    public static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from: " + e, e);
        }
    }

    /** The local repository: the setting, else {@code maven.repo.local}, else settings.xml, else {@code ~/.m2/repository}. */
    static Path localRepository() {
        String given = setting(LOCAL_REPOSITORY);
        if (given == null) {
            given = blankToNull(System.getProperty("maven.repo.local"));
        }
        if (given == null) {
            given = fromSettingsXml(Path.of(System.getProperty("user.home"), ".m2", "settings.xml"));
        }
        if (given == null && System.getenv("MAVEN_HOME") != null) {
            given = fromSettingsXml(Path.of(System.getenv("MAVEN_HOME"), "conf", "settings.xml"));
        }
        return given != null ? Path.of(given).toAbsolutePath()
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    private static String fromSettingsXml(Path settings) {
        if (!Files.isRegularFile(settings)) {
            return null;
        }
        try {
            String xml = Files.readString(settings, StandardCharsets.UTF_8).replaceAll("(?s)<!--.*?-->", "");
            Matcher m = Pattern.compile("<localRepository>\\s*(.*?)\\s*</localRepository>").matcher(xml);
            if (!m.find() || m.group(1).isBlank()) {
                return null;
            }
            return m.group(1).replace("${user.home}", System.getProperty("user.home"));
        } catch (IOException e) {
            return null;
        }
    }

    private static List<Path> resolveBroker() {
        Properties broker = new Properties();
        String text;
        try (InputStream in = BrokerClasspath.class.getResourceAsStream("broker.properties")) {
            if (in == null) {
                throw new IllegalStateException("broker.properties is missing from latency-lib-pulsar-embedded");
            }
            text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            broker.load(new java.io.StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String coordinates = broker.getProperty("artifact");
        Path local = localRepository();
        // the outcome of a resolution, kept next to the broker's jar: resolving ~300 poms again takes seconds
        DefaultArtifact brokerArtifact = new DefaultArtifact(coordinates);
        Path cache = local.resolve(brokerArtifact.getGroupId().replace('.', '/')).resolve(brokerArtifact.getArtifactId())
                .resolve(brokerArtifact.getVersion()).resolve("latency-lib-pulsar-embedded-"
                        + Integer.toHexString(text.hashCode()) + ".classpath");
        List<Path> cached = readCache(cache, local);
        if (cached != null) {
            return cached;
        }
        List<Path> jars = resolve(broker, coordinates, local);
        writeCache(cache, local, jars);
        return jars;
    }

    /** @return the jars a former resolution found, or null when there was none or one of them is gone */
    private static List<Path> readCache(Path cache, Path local) {
        try {
            List<Path> jars = new ArrayList<>();
            for (String line : Files.readAllLines(cache, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    Path jar = local.resolve(line.trim());
                    if (!Files.isRegularFile(jar)) {
                        return null;
                    }
                    jars.add(jar);
                }
            }
            return jars.isEmpty() ? null : jars;
        } catch (IOException e) {
            return null;
        }
    }

    private static void writeCache(Path cache, Path local, List<Path> jars) {
        StringBuilder b = new StringBuilder();
        for (Path jar : jars) {
            if (!jar.startsWith(local)) {
                return; // not all in the local repository: resolve again next time
            }
            b.append(local.relativize(jar).toString().replace(java.io.File.separatorChar, '/')).append('\n');
        }
        try {
            Path tmp = Files.createTempFile(cache.getParent(), "latency-lib-", ".tmp");
            Files.writeString(tmp, b, StandardCharsets.UTF_8);
            Files.move(tmp, cache, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not keep the resolved classpath in {}: {}", cache, e.toString());
        }
    }

    private static List<Path> resolve(Properties broker, String coordinates, Path local) {
        String remote = setting(REMOTE_REPOSITORY);
        if (remote == null) {
            remote = CENTRAL;
        }
        RemoteRepository repository = new RemoteRepository.Builder(remote.equals(CENTRAL) ? "central" : "latency-pulsar",
                "default", remote).build();
        // as a project depending on pulsar-broker would: the pins below manage its dependencies at every depth
        CollectRequest collect = new CollectRequest(List.of(new Dependency(new DefaultArtifact(coordinates), "runtime")),
                List.of(), List.of(repository));
        collect.setRootArtifact(new DefaultArtifact("io.latencylib:latency-lib-pulsar-standalone:pom:1"));
        for (String managed : broker.getProperty("managed", "").split(",")) {
            if (!managed.isBlank()) {
                collect.addManagedDependency(new Dependency(new DefaultArtifact(managed.trim()), "runtime"));
            }
        }
        long t0 = System.nanoTime();
        Downloads downloads = new Downloads(coordinates, local, remote);
        RepositorySystem system = new RepositorySystemSupplier().get();
        try (RepositorySystemSession.CloseableSession session = new SessionBuilderSupplier(system).get()
                .withLocalRepositoryBaseDirectories(local)
                .setSystemProperties(System.getProperties())
                .setProxySelector(new JreProxySelector())
                .setTransferListener(downloads)
                // other JVMs (forked tests, other builds) may resolve into the same repository at the same time
                .setConfigProperty("aether.syncContext.named.factory", "file-lock")
                .setConfigProperty("aether.syncContext.named.nameMapper", "file-gav")
                .build()) {
            List<ArtifactResult> results = system.resolveDependencies(session, new DependencyRequest(collect,
                    DependencyFilterUtils.classpathFilter("runtime"))).getArtifactResults();
            List<Path> jars = new ArrayList<>(results.size());
            for (ArtifactResult r : results) {
                jars.add(r.getArtifact().getPath());
            }
            downloads.finished(jars.size(), System.nanoTime() - t0);
            return jars;
        } catch (DependencyResolutionException e) {
            throw new IllegalStateException("EmbeddedPulsar could not resolve " + coordinates + " and its dependencies"
                    + " (the broker's classpath, " + downloads.summary() + ") into the local Maven repository " + local
                    + " from " + remote + ": " + e.getMessage() + ". If that repository cannot be reached from here, set "
                    + LOCAL_REPOSITORY + "=<a local repository that has them> or " + REMOTE_REPOSITORY
                    + "=<URL of a Maven repository or mirror> (system property, or LATENCY_PULSAR_LOCALREPOSITORY /"
                    + " LATENCY_PULSAR_REMOTEREPOSITORY)", e);
        } finally {
            system.shutdown();
        }
    }

    /** A setting: system property {@code latency.pulsar.x}, else environment variable {@code LATENCY_PULSAR_X}. */
    static String setting(String property) {
        String v = blankToNull(System.getProperty(property));
        return v != null ? v : blankToNull(System.getenv(property.replace('.', '_').toUpperCase(Locale.ROOT)));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** Says once that the broker's jars are being downloaded, and how much came. */
    private static final class Downloads extends AbstractTransferListener {
        private final String coordinates;
        private final Path local;
        private final String remote;
        private final AtomicBoolean announced = new AtomicBoolean();
        private final AtomicInteger files = new AtomicInteger();
        private final AtomicLong bytes = new AtomicLong();

        Downloads(String coordinates, Path local, String remote) {
            this.coordinates = coordinates;
            this.local = local;
            this.remote = remote;
        }

        @Override
        public void transferInitiated(TransferEvent event) {
            if (announced.compareAndSet(false, true)) {
                LOG.info("EmbeddedPulsar: downloading {} and its dependencies (about 320 jars and their poms, 245 MB, once) from {}"
                        + " into {}", coordinates, remote, local);
            }
        }

        @Override
        public void transferSucceeded(TransferEvent event) {
            if (event.getRequestType() == TransferEvent.RequestType.GET) {
                files.incrementAndGet();
                bytes.addAndGet(event.getTransferredBytes());
            }
        }

        String summary() {
            return String.format(Locale.ROOT, "%d files, %.1f MB downloaded", files.get(), bytes.get() / 1e6);
        }

        void finished(int jars, long nanos) {
            if (announced.get()) {
                LOG.info("EmbeddedPulsar: {} resolved in {} ms ({} jars; {})", coordinates, nanos / 1_000_000, jars,
                        summary());
            } else {
                LOG.debug("EmbeddedPulsar: {} resolved from {} in {} ms ({} jars)", coordinates, local,
                        nanos / 1_000_000, jars);
            }
        }
    }
}
