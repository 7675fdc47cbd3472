package io.latencylib.pulsar;

import io.latencylib.LatencyRecorder;
import io.latencylib.pulsar.internal.PulsarStamping;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.ConsumerInterceptor;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;

/**
 * The builder-time path for consumers whose receive calls cannot be wrapped:
 * {@code client.newConsumer(schema).topic(t).subscriptionName(s).intercept(new LatencyConsumerInterceptor<>(recorder)).subscribe()}.
 *
 * <p>What it sees: every message handed to the application, just before it is ({@code beforeConsume}
 * runs inside {@code receive}/{@code receiveAsync}/{@code batchReceive} and before a
 * {@code MessageListener} is called), with its stamp and broker publish time. What it cannot see:
 * when the application asks for messages and when it handles them (the start and end of
 * {@code receive}, its listener's return), so it never reports the consumer's busy time line and
 * catch-up and fetch are reported merged ({@code catch-up+fetch}). Prefer
 * {@link PulsarLatency#wrap(Consumer, LatencyRecorder)} or a wrapped listener.
 */
public class LatencyConsumerInterceptor<T> implements ConsumerInterceptor<T> {

    private final PulsarStamping.ReceiveObserver observer;
    private final Map<Consumer<?>, PulsarStamping.ConsumerState> states = Collections.synchronizedMap(new WeakHashMap<>());

    /** Records into the recorder registered as {@code default} ({@link PulsarLatency#register}). */
    public LatencyConsumerInterceptor() {
        this(PulsarLatency.recorder("default"));
    }

    public LatencyConsumerInterceptor(LatencyRecorder recorder) {
        this.observer = new PulsarStamping.ReceiveObserver(Objects.requireNonNull(recorder, "recorder"));
    }

    @Override
    public Message<T> beforeConsume(Consumer<T> consumer, Message<T> message) {
        long receive = observer.recorder().clock().nowMicros();
        PulsarStamping.ConsumerState state = states.computeIfAbsent(consumer, c -> observer.newConsumerState());
        observer.observe(state, message, receive); // no free/busy: the calls are not seen
        return message;
    }

    @Override
    public void onAcknowledge(Consumer<T> consumer, MessageId messageId, Throwable exception) {
    }

    @Override
    public void onAcknowledgeCumulative(Consumer<T> consumer, MessageId messageId, Throwable exception) {
    }

    @Override
    public void onNegativeAcksSend(Consumer<T> consumer, Set<MessageId> messageIds) {
    }

    @Override
    public void onAckTimeoutSend(Consumer<T> consumer, Set<MessageId> messageIds) {
    }

    @Override
    public void close() {
    }
}
