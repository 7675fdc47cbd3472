package io.latencylib.rabbitmq.junit.internal;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The only class that touches Testcontainers (an optional dependency): loaded only after
 * {@link RabbitSystemProvider} found it on the classpath; its signatures use JDK types only.
 */
final class RabbitContainer {

    private RabbitContainer() {
    }

    /**
     * @return {AMQP URI with credentials, an AutoCloseable that stops the container, null} when it
     *     started; {null, null, why not} when Docker does not answer or the container does not start
     */
    static Object[] start(String image) {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return new Object[] {null, null, "Docker is not available (Testcontainers found no Docker engine)"};
        }
        RabbitMQContainer container = new RabbitMQContainer(
                DockerImageName.parse(image).asCompatibleSubstituteFor("rabbitmq"));
        try {
            container.start();
        } catch (RuntimeException e) {
            container.close();
            return new Object[] {null, null, "the container " + image + " did not start: " + e};
        }
        String uri = "amqp://" + container.getAdminUsername() + ":" + container.getAdminPassword() + "@"
                + container.getHost() + ":" + container.getAmqpPort() + "/%2F";
        AutoCloseable stop = container::stop;
        return new Object[] {uri, stop, null};
    }
}
