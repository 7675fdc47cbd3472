package io.latencylib.rabbitmq;

import com.rabbitmq.client.Channel;
import io.latencylib.LatencyRecorder;
import io.latencylib.rabbitmq.internal.ChannelHandler;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Measures the latency of RabbitMQ messages by wrapping the channels you already have.
 *
 * <pre>{@code
 * LatencyRecorder recorder = LatencyRecorder.create();
 * Channel publishing = RabbitLatency.wrap(connection.createChannel(), recorder);
 * publishing.confirmSelect();                                     // confirms split publish+commit from catch-up
 * publishing.basicPublish("", "orders", props, body);             // as before
 * Channel consuming = RabbitLatency.wrap(connection.createChannel(), recorder);
 * consuming.basicConsume("orders", true, (tag, delivery) -> handle(delivery), tag -> { });
 * System.out.println(recorder.report().toTable());
 * }</pre>
 *
 * <p>The stamp travels in a header of its own ({@link io.latencylib.LatencyStamp#HEADER}); the
 * application's properties and headers are copied, never changed. The AMQP {@code timestamp}
 * property (one-second resolution) is not used. Stages: produce ends when {@code basicPublish}
 * returns (exact: the frames are written); with publisher confirms the confirm ends commit; without a
 * broker timestamp ({@code timestamp_in_ms}) publish and commit are one merged stage. Catch-up and
 * fetch follow the consumer's busy time line: a push consumer is busy while one of the channel's
 * delivery handlers runs (they share the channel's dispatch thread) and free otherwise, from the
 * moment it subscribed; {@code basicGet} is free during the call and busy from its return to the next
 * one. So messages waiting behind a slow handler, in the broker or in the prefetch buffer
 * ({@code basicQos}), show as catch-up, and messages on their way to an idle consumer as fetch.
 * Redeliveries ({@code isRedeliver}) are counted apart from duplicates; a consumer the broker
 * cancels is reported in the report's notes, and your handler is still called.
 *
 * <p>Mandatory messages the broker cannot route come back ({@code basic.return}, before their
 * confirm): they are counted {@code returned}, never lost; your return listeners are called as
 * before. When a channel's connection is lost, the confirms of its unconfirmed messages can no longer
 * come: those messages join on the consumer side alone (and count lost if they never arrive).
 * Automatic recovery's new channel starts its publish sequence numbers at 1 again; its confirms are
 * matched to its own messages.
 *
 * <p>Publishing on one channel from several threads at once is not supported by RabbitMQ's client
 * and not by this wrapper either (confirms are matched by the channel's publish sequence numbers).
 */
public final class RabbitLatency {

    private RabbitLatency() {
    }

    /**
     * Wraps a channel. The proxy also implements every other interface the channel implements
     * (e.g. {@code Recoverable} of auto-recovering channels), so casts keep working.
     */
    public static Channel wrap(Channel channel, LatencyRecorder recorder) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(recorder, "recorder");
        if (Proxy.isProxyClass(channel.getClass()) && Proxy.getInvocationHandler(channel) instanceof ChannelHandler) {
            throw new IllegalArgumentException("this channel is already wrapped by RabbitLatency.wrap; wrap it once");
        }
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        interfaces.add(Channel.class);
        for (Class<?> c = channel.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (java.lang.reflect.Modifier.isPublic(i.getModifiers())) {
                    interfaces.add(i);
                }
            }
        }
        return (Channel) Proxy.newProxyInstance(Channel.class.getClassLoader(), interfaces.toArray(Class<?>[]::new),
                new ChannelHandler(channel, recorder));
    }
}
