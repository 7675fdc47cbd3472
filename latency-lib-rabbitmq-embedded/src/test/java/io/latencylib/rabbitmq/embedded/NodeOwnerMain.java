package io.latencylib.rabbitmq.embedded;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

import io.latencylib.embedded.internal.ChildProcess;

/**
 * A JVM that owns a RabbitMQ node, for a test to kill: starts a node under the parent directory of
 * its argument, reports {@code DIRECTORY=}, {@code AMQP_PORT=} and {@code BROKER_PID=}, then runs
 * until its stdin closes.
 */
public final class NodeOwnerMain {
    private NodeOwnerMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream protocol = ChildProcess.reserveStdout();
        LocalRabbitMqNode node = LocalRabbitMqNode.builder().parentDirectory(Path.of(args[0])).start();
        ChildProcess.serveUntilStdinCloses(protocol, Map.of("DIRECTORY", node.directory().toString(),
                "AMQP_PORT", Integer.toString(node.amqpPort()), "BROKER_PID", Long.toString(node.pid())));
        node.close();
    }
}
