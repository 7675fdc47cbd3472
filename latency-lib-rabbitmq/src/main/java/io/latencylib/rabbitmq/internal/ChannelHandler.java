package io.latencylib.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.CancelCallback;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.spi.Delegation;
import io.latencylib.spi.PacedSend;
import io.latencylib.spi.ProducerProbe;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The dynamic-proxy handler behind a wrapped {@link Channel}: stamps {@code basicPublish}, follows
 * publisher confirms, wraps the consumers given to {@code basicConsume}, observes {@code basicGet},
 * and forwards everything else untouched.
 */
public final class ChannelHandler implements InvocationHandler {

    /** Unconfirmed publishes remembered per channel; older ones are given up (and evicted by the recorder). */
    private static final int PENDING = 1 << 16;

    private final Channel delegate;
    private final LatencyRecorder recorder;
    private final LatencyClock clock;
    private final ProducerProbe probe;
    private final AtomicReferenceArray<byte[]> pendingStamps = new AtomicReferenceArray<>(PENDING);
    private final AtomicLongArray pendingDispatch = new AtomicLongArray(PENDING);
    private volatile boolean confirms;
    /** The lowest publish sequence number that may still await its confirm (connection thread only). */
    private long lowestUnsettled;
    private final Map<String, RabbitStamping.DeliveryObserver> getObservers = new ConcurrentHashMap<>();
    private final Map<String, long[]> getWaits = new ConcurrentHashMap<>();

    public ChannelHandler(Channel delegate, LatencyRecorder recorder) {
        this.delegate = delegate;
        this.recorder = recorder;
        this.clock = recorder.clock();
        this.probe = recorder.newProducerProbe("rabbitmq", true, Duration.ZERO, Integer.MAX_VALUE, 1);
        if (delegate.getNextPublishSeqNo() > 0) {
            enableConfirmTracking();
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Object own = Delegation.objectMethod(proxy, delegate, "LatencyChannel", method, args);
        if (own != null) {
            return own;
        }
        switch (method.getName()) {
            case "basicPublish":
                publish(method, args);
                return null;
            case "confirmSelect": {
                Object ok = forward(method, args);
                enableConfirmTracking();
                return ok;
            }
            case "basicConsume":
                return forward(method, wrapConsumerArguments(args));
            case "basicGet":
                return get(method, args);
            default:
                return forward(method, args);
        }
    }

    private Object forward(Method method, Object[] args) throws Throwable {
        return Delegation.forward(delegate, method, args);
    }

    // ------------------------------------------------------------------ publishing

    private void publish(Method method, Object[] args) throws Throwable {
        int propsAt = args.length - 2;
        long send = clock.nowMicros();
        byte[] stamp = probe.beginSend(send, PacedSend.takeIntended());
        Object[] stamped = args.clone();
        stamped[propsAt] = RabbitStamping.withStamp((AMQP.BasicProperties) args[propsAt], stamp);
        long seqNo = confirms ? delegate.getNextPublishSeqNo() : 0;
        if (seqNo > 0) {
            pendingStamps.set((int) (seqNo % PENDING), stamp);
        }
        try {
            forward(method, stamped);
        } catch (Throwable t) {
            if (seqNo > 0) {
                pendingStamps.set((int) (seqNo % PENDING), null);
            }
            probe.failed(stamp);
            throw t;
        }
        long dispatched = clock.nowMicros(); // basicPublish returns once the frames are written: exact dispatch
        if (seqNo > 0) {
            pendingDispatch.set((int) (seqNo % PENDING), dispatched);
        } else {
            probe.ackNotObservable(stamp, dispatched);
        }
    }

    private synchronized void enableConfirmTracking() {
        if (confirms) {
            return;
        }
        lowestUnsettled = Math.max(1, delegate.getNextPublishSeqNo());
        delegate.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long deliveryTag, boolean multiple) {
                settle(deliveryTag, multiple, true);
            }

            @Override
            public void handleNack(long deliveryTag, boolean multiple) {
                settle(deliveryTag, multiple, false);
            }
        });
        confirms = true;
    }

    /**
     * Publisher confirms arrive on the connection's thread, but not necessarily in publish order: with
     * messages routed to several queues the broker may confirm 7 alone before confirming 1..6 with one
     * {@code multiple} ack. So a {@code multiple} ack settles everything still unsettled up to its tag,
     * from the lowest unsettled sequence number on.
     */
    private void settle(long tag, boolean multiple, boolean ack) {
        long now = clock.nowMicros();
        long from = multiple ? lowestUnsettled : tag;
        for (long seq = Math.max(1, from); seq <= tag; seq++) {
            int i = (int) (seq % PENDING);
            byte[] stamp = pendingStamps.getAndSet(i, null);
            if (stamp == null) {
                continue;
            }
            if (ack) {
                long dispatched = pendingDispatch.get(i);
                probe.acked(stamp, now, dispatched == 0 ? ProducerProbe.ESTIMATE : Math.min(dispatched, now), 0,
                        ProducerProbe.NEW_REQUEST, 0);
            } else {
                probe.failed(stamp);
            }
        }
        if (multiple) {
            lowestUnsettled = Math.max(lowestUnsettled, tag + 1);
        }
        while (lowestUnsettled <= tag && pendingStamps.get((int) (lowestUnsettled % PENDING)) == null) {
            lowestUnsettled++;
        }
    }

    // ------------------------------------------------------------------ consuming

    private Object[] wrapConsumerArguments(Object[] args) {
        Object[] wrapped = args.clone();
        String queue = (String) args[0];
        RabbitStamping.DeliveryObserver observer = new RabbitStamping.DeliveryObserver(recorder, queue);
        observer.probe().becameReady(clock.nowMicros()); // subscribed: ready for the first delivery
        for (int i = 1; i < wrapped.length; i++) {
            Object a = wrapped[i];
            if (a instanceof StampedConsumer) {
                continue; // wrapped already (wrapConsumer): observed once, not twice
            } else if (a instanceof Consumer c) {
                wrapped[i] = new StampedConsumer(c, observer, clock, recorder, queue);
            } else if (a instanceof DeliverCallback d) {
                wrapped[i] = (DeliverCallback) (tag, delivery) -> {
                    long receive = clock.nowMicros();
                    observer.observe(delivery.getEnvelope(), delivery.getProperties(), observer.probe().readyMicros(),
                            receive);
                    try {
                        d.handle(tag, delivery);
                    } finally {
                        observer.probe().becameReady(clock.nowMicros());
                    }
                };
            } else if (a instanceof CancelCallback cancel) {
                wrapped[i] = (CancelCallback) tag -> {
                    noteCancelled(recorder, queue, tag);
                    cancel.handle(tag);
                };
            }
        }
        return wrapped;
    }

    /**
     * Wraps a consumer the application subscribes to {@code queue} itself, on a channel that is not
     * wrapped; it is ready for its first delivery from now on. A wrapped channel leaves it as it is.
     */
    public static Consumer wrapConsumer(Consumer consumer, String queue, LatencyRecorder recorder) {
        if (consumer instanceof StampedConsumer) {
            throw new IllegalArgumentException("this consumer is already wrapped; wrap it once");
        }
        RabbitStamping.DeliveryObserver observer = new RabbitStamping.DeliveryObserver(recorder, queue);
        observer.probe().becameReady(recorder.clock().nowMicros());
        return new StampedConsumer(consumer, observer, recorder.clock(), recorder, queue);
    }

    static void noteCancelled(LatencyRecorder recorder, String queue, String consumerTag) {
        recorder.note("the consumer " + consumerTag + " of queue '" + queue + "' was cancelled by the broker (queue"
                + " deleted or failed over): it receives nothing more");
    }

    private Object get(Method method, Object[] args) throws Throwable {
        String queue = (String) args[0];
        RabbitStamping.DeliveryObserver observer = getObservers.computeIfAbsent(queue,
                q -> new RabbitStamping.DeliveryObserver(recorder, q));
        long ready = observer.probe().pollStarted(clock.nowMicros());
        Object result = forward(method, args);
        long receive = clock.nowMicros();
        if (result instanceof GetResponse r) {
            observer.observe(r.getEnvelope(), r.getProps(), ready, receive);
            observer.probe().pollReturned(1);
        } else {
            observer.probe().pollReturned(0);
        }
        return result;
    }

    /** A consumer given to basicConsume, observed before the application's handler runs. */
    static final class StampedConsumer implements Consumer {
        private final Consumer delegate;
        private final RabbitStamping.DeliveryObserver observer;
        private final LatencyClock clock;
        private final LatencyRecorder recorder;
        private final String queue;

        StampedConsumer(Consumer delegate, RabbitStamping.DeliveryObserver observer, LatencyClock clock,
                        LatencyRecorder recorder, String queue) {
            this.delegate = delegate;
            this.observer = observer;
            this.clock = clock;
            this.recorder = recorder;
            this.queue = queue;
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                throws IOException {
            long receive = clock.nowMicros();
            observer.observe(envelope, properties, observer.probe().readyMicros(), receive);
            try {
                delegate.handleDelivery(consumerTag, envelope, properties, body);
            } finally {
                observer.probe().becameReady(clock.nowMicros());
            }
        }

        @Override
        public void handleConsumeOk(String consumerTag) {
            delegate.handleConsumeOk(consumerTag);
        }

        @Override
        public void handleCancelOk(String consumerTag) {
            delegate.handleCancelOk(consumerTag);
        }

        @Override
        public void handleCancel(String consumerTag) throws IOException {
            noteCancelled(recorder, queue, consumerTag);
            delegate.handleCancel(consumerTag);
        }

        @Override
        public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
            delegate.handleShutdownSignal(consumerTag, sig);
        }

        @Override
        public void handleRecoverOk(String consumerTag) {
            delegate.handleRecoverOk(consumerTag);
        }
    }
}
