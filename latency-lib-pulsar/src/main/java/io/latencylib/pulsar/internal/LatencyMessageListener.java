package io.latencylib.pulsar.internal;

import io.latencylib.LatencyClock;
import io.latencylib.spi.ConsumerProbe;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageListener;

/**
 * A listener that records every pushed delivery, then hands it to the application's listener. Per
 * consumer (one listener may serve several), the ready instant of a delivery is when the handler of
 * the previous delivery returned; for the first one, when this wrapper was made (wrap the listener
 * right before {@code subscribe()}). Messages of one Pulsar batch share the wait before it, plus the
 * time the handlers of the earlier ones took (see {@link PulsarStamping.ConsumerState}).
 */
public final class LatencyMessageListener<T> implements MessageListener<T> {

    private static final long serialVersionUID = 1L;

    private final transient MessageListener<T> delegate;
    private final transient PulsarStamping.ReceiveObserver observer;
    private final transient LatencyClock clock;
    private final transient long createdMicros;
    private final transient Map<Consumer<?>, PulsarStamping.ConsumerState> states = Collections.synchronizedMap(new WeakHashMap<>());

    public LatencyMessageListener(MessageListener<T> delegate, PulsarStamping.ReceiveObserver observer) {
        this.delegate = delegate;
        this.observer = observer;
        this.clock = observer.recorder().clock();
        this.createdMicros = clock.nowMicros();
    }

    public MessageListener<T> delegate() {
        return delegate;
    }

    @Override
    public void received(Consumer<T> consumer, Message<T> msg) {
        long receive = clock.nowMicros();
        PulsarStamping.ConsumerState state = states.computeIfAbsent(consumer, c -> {
            PulsarStamping.ConsumerState s = observer.newConsumerState();
            s.probe().becameReady(createdMicros); // "the first one: when the consumer subscribed"
            return s;
        });
        ConsumerProbe probe = state.probe();
        // the application got free when the previous handler returned (the probe's ready instant), and
        // became busy when this handler was called
        long ready = state.readyFor(msg, probe.readyMicros(), probe.readyMicros(), receive);
        observer.observe(state, msg, ready, receive);
        try {
            delegate.received(consumer, msg);
        } finally {
            probe.becameReady(clock.nowMicros());
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
