package io.latencylib.rabbitmq.junit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Consumer;
import io.latencylib.junit.LatencySession;
import java.util.Map;

/**
 * The {@link LatencySession} of a test on RabbitMQ: the run's broker, fresh queues, and channels
 * already wrapped with the test's recorder. Asked for by parameter type:
 *
 * <pre>{@code
 * @LatencySLO("p99 < 50ms")
 * @Test
 * void ordersArriveQuickly(RabbitSession rabbit) throws Exception {
 *     String queue = rabbit.newQueue();
 *     OrderListener listener = new OrderListener(rabbit.channel(), queue, 1_000);  // basicConsume: measured
 *     OrderPublisher publisher = new OrderPublisher(rabbit.channel(), queue);     // basicPublish: measured
 *     ... publish 1,000 orders at 500 a second, await the confirms and the listener ...
 * }
 * }</pre>
 *
 * <p>Stages: channels from {@link #channel()} have publisher confirms on, so the confirm ends the
 * commit stage; consumers subscribed on them are busy while their delivery handlers run and free
 * otherwise, so messages waiting behind a busy handler show as catch-up and messages on their way to
 * an idle consumer as fetch. RabbitMQ sets no broker
 * timestamp before 3.12 ({@code timestamp_in_ms}, with
 * {@code message_interceptors.incoming.set_header_timestamp} in {@code rabbitmq.conf}), so on the
 * embedded broker (RabbitMQ 3.10 as on Debian 12) <b>publish and commit are one merged stage,
 * {@code publish+commit}</b>, and the report says so in its notes; produce, catch-up and fetch are
 * reported apart. An objective on {@code publish.*} or {@code commit.*} fails there, saying the stage
 * was reported merged: write objectives on end-to-end latency or on {@code produce},
 * {@code catch-up}, {@code fetch}.
 *
 * <p>What the session made (its connection, every channel on it, the queues of {@link #newQueue()})
 * is closed or deleted after the test, after {@code @AfterEach} methods. Thread-safe; a channel is
 * not (RabbitMQ's rule): take one channel per publishing thread.
 */
public interface RabbitSession extends LatencySession {

    /**
     * @return the run's broker as an AMQP URI with its credentials,
     *     {@code amqp://user:password@host:port/vhost} (the default vhost spelled {@code %2F}): for code
     *     under test that takes a URI; connections made from it are yours to close
     */
    String amqpUri();

    /**
     * @return a new connection factory for the run's broker ({@link #amqpUri()} set; change it as you
     *     like): for code under test that makes its own connections, which you close and whose
     *     channels you {@link #wrap(Channel)} to measure them
     */
    ConnectionFactory connectionFactory();

    /**
     * @return the session's connection, opened on first use and closed after the test; its channels
     *     are not measured unless they come from {@link #channel()} or go through {@link #wrap(Channel)}
     */
    Connection connection();

    /**
     * Declares a fresh durable classic queue, named after the test, deleted after the test. Publish to
     * it through the default exchange: {@code basicPublish("", queue, props, body)}; nothing more is
     * needed for the stage split (confirms and consumers do it, see above).
     *
     * @return the queue's name
     */
    String newQueue();

    /**
     * As {@link #newQueue()}, with queue arguments, e.g. {@code Map.of("x-queue-type", "quorum")}.
     *
     * @return the queue's name
     */
    String newQueue(Map<String, Object> arguments);

    /**
     * @return a new channel on {@link #connection()}, wrapped with the test's recorder, publisher
     *     confirms on: what it publishes is measured, and so is what consumers given to its
     *     {@code basicConsume} or {@code basicGet} on it receive
     */
    Channel channel();

    /**
     * Wraps a channel the test made itself (publisher confirms as the channel has them; call
     * {@code confirmSelect()} to observe commit). You close it.
     *
     * @throws IllegalArgumentException when it is wrapped already
     */
    Channel wrap(Channel channel);

    /**
     * Wraps a consumer that the test subscribes to {@code queue} on a channel that is not wrapped:
     * {@code plain.basicConsume(queue, false, rabbit.wrap(consumer, queue))}. It counts as free for its
     * first delivery from this call on, so wrap it right before subscribing. Given to a wrapped
     * channel it is observed once, not twice.
     *
     * @throws IllegalArgumentException when it is wrapped already
     */
    Consumer wrap(Consumer consumer, String queue);
}
