package io.latencylib.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.CancelCallback;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.spi.ConsumerProbe;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dynamic-proxy handler behind a wrapped {@link Channel}: stamps {@code basicPublish}, follows
 * publisher confirms and returned messages, wraps the consumers given to {@code basicConsume},
 * observes {@code basicGet}, and forwards everything else untouched.
 *
 * <p><b>Publishing epochs.</b> Confirms are matched to messages by the channel's publish sequence
 * numbers. Those belong to one channel on one connection: when the connection is lost, no confirm of
 * its messages can come any more, and automatic recovery opens a new channel whose numbers start
 * again at 1. So the unconfirmed messages of a channel are kept per <em>epoch</em>, which ends when
 * the channel shuts down (the client calls its shutdown listeners after the last frame of the old
 * connection was handled, before recovery starts; recovery re-registers them on the new channel, like
 * the confirm and return listeners). The messages still unconfirmed then are in doubt (see
 * {@link #inDoubt}): never lost; they join on the consumer half alone if they arrive.
 */
public final class ChannelHandler implements InvocationHandler {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.rabbitmq");
    /** Unconfirmed publishes remembered per channel; older ones are given up (and evicted by the recorder). */
    private static final int PENDING = 1 << 16;

    private final Channel delegate;
    private final LatencyRecorder recorder;
    private final LatencyClock clock;
    private final ProducerProbe probe;
    /** The current publishing epoch; null until publisher confirms are on. */
    private volatile Epoch epoch;
    private final ConfirmListener confirmListener = new ConfirmListener() {
        @Override
        public void handleAck(long deliveryTag, boolean multiple) {
            settle(deliveryTag, multiple, true);
        }

        @Override
        public void handleNack(long deliveryTag, boolean multiple) {
            settle(deliveryTag, multiple, false);
        }
    };
    private final ReturnListener returnListener = this::returned;
    private final ShutdownListener shutdownListener = this::shutDown;
    private boolean failureLogged;
    private boolean inDoubtNoted;
    private final Map<String, RabbitStamping.DeliveryObserver> getObservers = new ConcurrentHashMap<>();
    /** One busy time line for all push consumers of this channel: their deliveries share its dispatch thread. */
    private ConsumerProbe pushProbe;

    public ChannelHandler(Channel delegate, LatencyRecorder recorder) {
        this.delegate = delegate;
        this.recorder = recorder;
        this.clock = recorder.clock();
        this.probe = recorder.newProducerProbe("rabbitmq", true, Duration.ZERO, Integer.MAX_VALUE, 1);
        // Registered first, so that an application listener that throws (the client then skips the
        // listeners after it) cannot hide a confirm or a return from the wrapper. An auto-recovering
        // channel re-registers all three on the channel it recovers to.
        delegate.addConfirmListener(confirmListener);
        delegate.addReturnListener(returnListener);
        delegate.addShutdownListener(shutdownListener);
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
            case "clearConfirmListeners": {
                Object r = forward(method, args);
                delegate.addConfirmListener(confirmListener); // the application's are gone; the wrapper's stays
                return r;
            }
            case "clearReturnListeners": {
                Object r = forward(method, args);
                delegate.addReturnListener(returnListener);
                return r;
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

    /** The unconfirmed messages of one channel incarnation, by publish sequence number. */
    private static final class Epoch {
        final AtomicReferenceArray<byte[]> stamps = new AtomicReferenceArray<>(PENDING);
        final AtomicLongArray dispatch = new AtomicLongArray(PENDING);
        /** The lowest publish sequence number that may still await its confirm (connection thread only). */
        long lowestUnsettled;
        /** The sequence number whose publish is under way, 0 when none (the publishing thread writes it). */
        volatile long publishing;

        Epoch(long firstSequence) {
            this.lowestUnsettled = Math.max(1, firstSequence);
        }
    }

    private static int slot(long seq) {
        return (int) (seq & (PENDING - 1));
    }

    /**
     * Stamps and publishes. The stamp is remembered under its publish sequence number before the
     * publish (its confirm may come before {@code basicPublish} returns). While the publish is under
     * way its slot belongs to this thread: the end of an epoch ({@link #shutDown}) leaves it alone, and
     * this thread settles it once the outcome is known. Who takes a stamp out of its slot (this thread,
     * a confirm, the end of the epoch) reports it, exactly once.
     */
    private void publish(Method method, Object[] args) throws Throwable {
        int propsAt = args.length - 2;
        long send = clock.nowMicros();
        byte[] stamp = probe.beginSend(send, PacedSend.takeIntended());
        Object[] stamped = args.clone();
        stamped[propsAt] = RabbitStamping.withStamp((AMQP.BasicProperties) args[propsAt], stamp);
        Epoch e;
        long seq = 0;
        while ((e = epoch) != null) {
            seq = delegate.getNextPublishSeqNo();
            e.publishing = seq;
            if (epoch == e) {
                break; // the epoch's end, if it comes now, sees this publish under way
            }
            e.publishing = 0;
        }
        int i = slot(seq);
        if (seq > 0) {
            e.dispatch.set(i, 0); // not the instant of the message that had this slot before
            e.stamps.set(i, stamp);
        }
        try {
            forward(method, stamped);
        } catch (Throwable t) {
            if (seq <= 0 || e.stamps.compareAndSet(i, stamp, null)) {
                probe.failed(stamp);
            }
            if (seq > 0) {
                e.publishing = 0;
            }
            throw t;
        }
        long dispatched = clock.nowMicros(); // basicPublish returns once the frames are written: exact dispatch
        if (seq <= 0) {
            probe.ackNotObservable(stamp, dispatched); // no confirms (or not yet, on a channel being recovered)
            return;
        }
        e.dispatch.set(i, dispatched);
        e.publishing = 0;
        if (epoch != e || delegate.getNextPublishSeqNo() != seq + 1) {
            // The channel shut down meanwhile, or recovery replaced it between reading the sequence number
            // and publishing: no confirm of this number can be this message's. Unless a confirm took it
            // already, it is in doubt.
            if (e.stamps.compareAndSet(i, stamp, null)) {
                inDoubt(stamp, dispatched);
            }
        }
    }

    private synchronized void enableConfirmTracking() {
        if (epoch == null) {
            epoch = new Epoch(delegate.getNextPublishSeqNo());
        }
    }

    /**
     * Publisher confirms arrive on the connection's thread, but not necessarily in publish order: with
     * messages routed to several queues the broker may confirm 7 alone before confirming 1..6 with one
     * {@code multiple} ack. So a {@code multiple} ack settles everything still unsettled up to its tag,
     * from the lowest unsettled sequence number on.
     */
    private void settle(long tag, boolean multiple, boolean ack) {
        Epoch e = epoch;
        if (e == null) {
            return;
        }
        try {
            long now = clock.nowMicros();
            long from = multiple ? e.lowestUnsettled : tag;
            for (long seq = Math.max(1, from); seq <= tag; seq++) {
                int i = slot(seq);
                byte[] stamp = e.stamps.getAndSet(i, null);
                if (stamp == null) {
                    continue;
                }
                if (ack) {
                    long dispatched = e.dispatch.get(i);
                    probe.acked(stamp, now, dispatched == 0 ? ProducerProbe.ESTIMATE : Math.min(dispatched, now), 0,
                            ProducerProbe.NEW_REQUEST, 0);
                } else {
                    probe.failed(stamp);
                }
            }
            if (multiple) {
                e.lowestUnsettled = Math.max(e.lowestUnsettled, tag + 1);
            }
            while (e.lowestUnsettled <= tag && e.stamps.get(slot(e.lowestUnsettled)) == null) {
                e.lowestUnsettled++;
            }
        } catch (RuntimeException ex) {
            logOnce(ex);
        }
    }

    /**
     * The channel shut down (its connection was lost, or it was closed): the confirms of its messages
     * can no longer come. A new epoch starts, for the channel automatic recovery may open in its place
     * (its sequence numbers start at 1 again); the messages still unconfirmed are in doubt. A channel
     * closed by the application, or one that cannot recover, is done: its producer probe is closed.
     */
    private void shutDown(ShutdownSignalException cause) {
        boolean done = cause.isInitiatedByApplication() || !(delegate instanceof Recoverable);
        Epoch old;
        synchronized (this) {
            old = epoch;
            if (old != null) {
                epoch = done ? null : new Epoch(1);
            }
        }
        try {
            if (old != null) {
                drain(old, cause);
            }
            if (done) {
                probe.close();
            }
        } catch (RuntimeException ex) {
            logOnce(ex);
        }
    }

    private void drain(Epoch old, ShutdownSignalException cause) {
        long underWay = old.publishing; // read after the switch: that publish settles its own message
        int skip = underWay > 0 ? slot(underWay) : -1;
        int count = 0;
        for (int i = 0; i < PENDING; i++) {
            byte[] stamp = i == skip ? null : old.stamps.getAndSet(i, null);
            if (stamp != null) {
                long dispatched = old.dispatch.get(i);
                inDoubt(stamp, dispatched == 0 ? ProducerProbe.ESTIMATE : dispatched);
                count++;
            }
        }
        if (count > 0 && !inDoubtNoted) {
            inDoubtNoted = true;
            recorder.note("a RabbitMQ channel shut down (" + (cause.isHardError() ? "connection" : "channel")
                    + " closed" + (cause.isInitiatedByApplication() ? " by the application" : "") + ") with "
                    + count + " messages unconfirmed: their confirms can no longer come; those not received yet"
                    + " count as send errors (in doubt, never lost), and any that arrive join on the consumer"
                    + " side alone");
        }
    }

    /**
     * A message whose confirm can no longer come is in doubt: the broker may have taken it or not, and the
     * publisher cannot tell (its {@code waitForConfirmsOrDie} throws). It must not count as lost, which
     * says the broker lost a message it had: a message written into the socket of a connection already
     * dead never reached a broker. So it counts as a failed send, unless it has arrived already; either
     * way, if it arrives it joins on the consumer half alone. ({@code failed} does nothing to a message
     * already received; {@code ackNotObservable} then joins it, and does nothing to a failed one.)
     */
    private void inDoubt(byte[] stamp, long dispatched) {
        probe.failed(stamp);
        probe.ackNotObservable(stamp, dispatched);
    }

    /** basic.return: the broker could not route a mandatory message; it confirms it afterwards. */
    private void returned(int replyCode, String replyText, String exchange, String routingKey,
                          AMQP.BasicProperties properties, byte[] body) {
        try {
            byte[] stamp = RabbitStamping.stampOf(properties);
            if (stamp != null) {
                probe.returned(stamp);
            }
        } catch (RuntimeException ex) {
            logOnce(ex);
        }
    }

    private void logOnce(RuntimeException ex) {
        if (!failureLogged) {
            failureLogged = true;
            log.warn("latency-lib could not record a publisher confirm, return or shutdown; the application is not"
                    + " affected", ex);
        }
    }

    // ------------------------------------------------------------------ consuming

    private synchronized ConsumerProbe pushProbe() {
        if (pushProbe == null) {
            pushProbe = recorder.newConsumerProbe("rabbitmq");
            pushProbe.free(clock.nowMicros()); // subscribed: free for its first delivery
        }
        return pushProbe;
    }

    private Object[] wrapConsumerArguments(Object[] args) {
        Object[] wrapped = args.clone();
        String queue = (String) args[0];
        RabbitStamping.DeliveryObserver observer = null;
        for (int i = 1; i < wrapped.length; i++) {
            Object a = wrapped[i];
            if (a instanceof StampedConsumer) {
                continue; // wrapped already (wrapConsumer): observed once, not twice
            } else if (a instanceof Consumer c) {
                observer = observer != null ? observer : new RabbitStamping.DeliveryObserver(recorder, pushProbe(), queue);
                wrapped[i] = new StampedConsumer(c, observer, recorder, queue);
            } else if (a instanceof DeliverCallback d) {
                observer = observer != null ? observer : new RabbitStamping.DeliveryObserver(recorder, pushProbe(), queue);
                RabbitStamping.DeliveryObserver o = observer;
                wrapped[i] = (DeliverCallback) (tag, delivery) -> {
                    o.handlerEntered(delivery.getEnvelope(), delivery.getProperties());
                    try {
                        d.handle(tag, delivery);
                    } finally {
                        o.handlerReturned();
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
     * wrapped; it is free for its first delivery from now on. A wrapped channel leaves it as it is.
     */
    public static Consumer wrapConsumer(Consumer consumer, String queue, LatencyRecorder recorder) {
        if (consumer instanceof StampedConsumer) {
            throw new IllegalArgumentException("this consumer is already wrapped; wrap it once");
        }
        ConsumerProbe probe = recorder.newConsumerProbe("rabbitmq");
        probe.free(recorder.clock().nowMicros());
        RabbitStamping.DeliveryObserver observer = new RabbitStamping.DeliveryObserver(recorder, probe, queue);
        return new StampedConsumer(consumer, observer, recorder, queue);
    }

    static void noteCancelled(LatencyRecorder recorder, String queue, String consumerTag) {
        recorder.note("the consumer " + consumerTag + " of queue '" + queue + "' was cancelled by the broker (queue"
                + " deleted or failed over): it receives nothing more");
    }

    /** basicGet: free (asking) from the call's start, busy from its return, whatever it returned. */
    private Object get(Method method, Object[] args) throws Throwable {
        String queue = (String) args[0];
        RabbitStamping.DeliveryObserver observer = getObservers.computeIfAbsent(queue,
                q -> new RabbitStamping.DeliveryObserver(recorder, recorder.newConsumerProbe("rabbitmq"), q));
        observer.free(clock.nowMicros());
        Object result;
        long returned;
        try {
            result = forward(method, args);
        } finally {
            returned = clock.nowMicros();
            observer.busy(returned);
        }
        if (result instanceof GetResponse r) {
            observer.received(r.getEnvelope(), r.getProps(), returned);
        }
        return result;
    }

    /** A consumer given to basicConsume, observed before the application's handler runs. */
    static final class StampedConsumer implements Consumer {
        private final Consumer delegate;
        private final RabbitStamping.DeliveryObserver observer;
        private final LatencyRecorder recorder;
        private final String queue;

        StampedConsumer(Consumer delegate, RabbitStamping.DeliveryObserver observer, LatencyRecorder recorder,
                        String queue) {
            this.delegate = delegate;
            this.observer = observer;
            this.recorder = recorder;
            this.queue = queue;
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                throws IOException {
            observer.handlerEntered(envelope, properties);
            try {
                delegate.handleDelivery(consumerTag, envelope, properties, body);
            } finally {
                observer.handlerReturned();
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
