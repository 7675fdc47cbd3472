package io.latencylib.pulsar.internal;

import io.latencylib.LatencyClock;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageListener;

/**
 * A listener that records every pushed delivery, then hands it to the application's listener. The
 * time line of each consumer (one listener may serve several): busy from entering the listener until it
 * returns, free otherwise, from its subscription on. A delivery is received when the listener is entered.
 *
 * <p>The subscription itself is not seen (the listener is given to the builder before
 * {@code subscribe()}): the first consumer a listener serves counts as free from when this wrapper was
 * made (wrap the listener right before {@code subscribe()}); each further consumer from the first
 * delivery to the one before it (when the next consumer's time line was started).
 */
public final class LatencyMessageListener<T> implements MessageListener<T> {

    private static final long serialVersionUID = 1L;

    private final transient MessageListener<T> delegate;
    private final transient PulsarStamping.ReceiveObserver observer;
    private final transient LatencyClock clock;
    private final transient Map<Consumer<?>, PulsarStamping.ConsumerState> states = Collections.synchronizedMap(new WeakHashMap<>());
    /** The time line for the next consumer this listener serves: free since it was made. */
    private transient PulsarStamping.ConsumerState next;

    public LatencyMessageListener(MessageListener<T> delegate, PulsarStamping.ReceiveObserver observer) {
        this.delegate = delegate;
        this.observer = observer;
        this.clock = observer.recorder().clock();
        this.next = subscribedState();
    }

    private PulsarStamping.ConsumerState subscribedState() {
        PulsarStamping.ConsumerState s = observer.newConsumerState();
        s.subscribed(clock.nowMicros());
        return s;
    }

    public MessageListener<T> delegate() {
        return delegate;
    }

    @Override
    public void received(Consumer<T> consumer, Message<T> msg) {
        long receive = clock.nowMicros();
        PulsarStamping.ConsumerState state = states.computeIfAbsent(consumer, c -> {
            PulsarStamping.ConsumerState s = next; // under the map's lock
            next = subscribedState();
            return s;
        });
        state.handling(receive);
        observer.observe(state, msg, receive);
        try {
            delegate.received(consumer, msg);
        } finally {
            state.handled(clock.nowMicros());
        }
    }

    @Override
    public void reachedEndOfTopic(Consumer<T> consumer) {
        delegate.reachedEndOfTopic(consumer);
    }

    @Override
    public String toString() {
        return "LatencyMessageListener[" + delegate + "]";
    }
}
