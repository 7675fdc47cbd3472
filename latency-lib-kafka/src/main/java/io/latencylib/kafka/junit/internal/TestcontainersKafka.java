package io.latencylib.kafka.junit.internal;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The only class that touches Testcontainers (an optional dependency): loaded only after
 * {@link KafkaSystemProvider} found it on the classpath; its signature uses JDK types only, so its
 * absence cannot break the classes that call it.
 */
final class TestcontainersKafka {

    private TestcontainersKafka() {
    }

    /**
     * @return {bootstrap servers, an AutoCloseable that stops the container, null} when it started;
     *     {null, null, why not} when Docker does not answer or the container did not start
     */
    static Object[] start(String image) {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return new Object[] {null, null, "Docker is not available"};
        }
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("apache/kafka"));
        try {
            container.start();
        } catch (RuntimeException e) {
            container.close();
            return new Object[] {null, null, "the container did not start: " + e};
        }
        AutoCloseable stop = container::stop;
        return new Object[] {container.getBootstrapServers(), stop, null};
    }
}
