package io.latencylib.rabbitmq.junit.internal;

import io.latencylib.rabbitmq.embedded.LocalRabbitMqNode;

/**
 * The only class of the provider that touches {@code LocalRabbitMqNode}: loaded only after
 * {@link RabbitSystemProvider} found it on the classpath; its signatures use JDK types only.
 */
final class RabbitNode {

    /** The embedded node's class, checked for before this class is used. */
    static final String NODE_CLASS = "io.latencylib.rabbitmq.embedded.LocalRabbitMqNode";

    private RabbitNode() {
    }

    /**
     * @return {AMQP URI, an AutoCloseable that stops the node, what it is} when it started;
     *     {null, null, why not} when RabbitMQ is not installed
     * @throws IllegalStateException when the node did not come up (the message has its log's tail)
     */
    static Object[] start() {
        if (!LocalRabbitMqNode.isInstalled()) {
            return new Object[] {null, null, "the embedded RabbitMQ node needs rabbitmq-server installed on this"
                    + " machine, and it is not. " + LocalRabbitMqNode.HOW_TO_GET_A_BROKER};
        }
        LocalRabbitMqNode node = LocalRabbitMqNode.builder().start();
        AutoCloseable stop = node::close;
        return new Object[] {node.amqpUri() + "/%2F", stop, "node " + node.nodeName() + ", rabbitmq-server as a child"
                + " process"};
    }
}
