package io.latencylib.pulsar.internal;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyStamp;
import io.latencylib.spi.PacedSend;
import io.latencylib.spi.ProducerProbe;
import io.latencylib.spi.Delegation;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Messages;
import org.apache.pulsar.client.api.TypedMessageBuilder;

/**
 * Dynamic-proxy handlers behind the wrapped {@code Producer}, {@code TypedMessageBuilder} and
 * {@code Consumer}, and the stamped send they share with the plain wrappers. A proxy serves every method of the
 * interface the application has on its classpath, so a newer pulsar-client that adds methods keeps working (a
 * hand-written {@code implements} would throw AbstractMethodError); on the client this library was written for,
 * the plain classes ({@link LatencyProducer}, {@link LatencyMessageBuilder}, {@link LatencyConsumer}) are used
 * instead.
 */
public final class WrappingHandlers {

    private WrappingHandlers() {
    }

    /** Rethrows {@code t} unchanged, checked or not (what the client threw reaches the application as it was). */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }

    /**
     * Returns a future completed exactly as {@code source} is, after {@code first} ran; cancelling it cancels the
     * source. One completion stage on the source (the cancellation is passed on by the returned future itself,
     * not by a second stage on it: this runs for every message, on the client's I/O thread).
     */
    static <T> CompletableFuture<T> after(CompletableFuture<T> source, java.util.function.BiConsumer<T, Throwable> first) {
        CancellingFuture<T> result = new CancellingFuture<>(source);
        source.whenComplete((value, error) -> {
            try {
                first.accept(value, error);
            } finally {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(value);
                }
            }
        });
        return result;
    }

    /** A future whose cancellation (by {@code cancel}, or completion with a CancellationException) cancels its source. */
    static final class CancellingFuture<T> extends CompletableFuture<T> {
        private final CompletableFuture<?> source;

        CancellingFuture(CompletableFuture<?> source) {
            this.source = source;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (isCancelled()) {
                source.cancel(false);
            }
            return cancelled;
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            boolean completed = super.completeExceptionally(ex);
            if (isCancelled()) {
                source.cancel(false);
            }
            return completed;
        }
    }

    // ---------------------------------------------------------------- producer

    /** Handler of a wrapped producer: stamps {@code send}, {@code sendAsync} and the builders of {@code newMessage}. */
    public static final class ProducerHandler implements InvocationHandler {
        private final Object delegate;
        private final PulsarStamping.AckTracker acks;
        private final LatencyClock clock;

        public ProducerHandler(Object delegate, PulsarStamping.AckTracker acks, LatencyClock clock) {
            this.delegate = delegate;
            this.acks = acks;
            this.clock = clock;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            int n = args == null ? 0 : args.length;
            if (n == 1 && (name.equals("send") || name.equals("sendAsync")) && method.getDeclaringClass() != Object.class) {
                // Producer.send(T) is newMessage().value(T).send() (ProducerBase): the same path, stamped
                TypedMessageBuilder<?> builder = newBuilder(args[0]);
                return stampedSend(builder, PulsarStamping.approximateSize(args[0]), name.equals("send"), acks, clock);
            }
            if (name.equals("newMessage") && TypedMessageBuilder.class.isAssignableFrom(method.getReturnType())) {
                Object builder = Delegation.forward(delegate, method, args);
                return builder == null ? null : wrapBuilder(builder, acks, clock);
            }
            Object own = Delegation.objectMethod(proxy, delegate, "LatencyProducer", method, args);
            return own != null ? own : Delegation.forward(delegate, method, args);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private TypedMessageBuilder<?> newBuilder(Object value) {
            TypedMessageBuilder builder = ((org.apache.pulsar.client.api.Producer) delegate).newMessage();
            return builder.value(value);
        }
    }

    /** Whether the plain {@link LatencyMessageBuilder} covers the running pulsar-client's {@code TypedMessageBuilder}. */
    private static final boolean PLAIN_BUILDER = LatencyMessageBuilder.coversRunningClient();

    /**
     * The wrapper of a builder of {@code newMessage}: the plain {@link LatencyMessageBuilder} (no reflection per
     * call), or, on a pulsar-client whose {@code TypedMessageBuilder} has methods it does not know, a proxy
     * ({@link BuilderHandler}) that serves them all.
     */
    @SuppressWarnings("unchecked")
    static Object wrapBuilder(Object builder, PulsarStamping.AckTracker acks, LatencyClock clock) {
        if (PLAIN_BUILDER) {
            return new LatencyMessageBuilder<>((TypedMessageBuilder<Object>) builder, acks, clock);
        }
        return Proxy.newProxyInstance(TypedMessageBuilder.class.getClassLoader(),
                new Class<?>[] {TypedMessageBuilder.class}, new BuilderHandler(builder, acks, clock));
    }

    /**
     * Sends through {@code builder} with the stamp as one more property: synchronously (returns the
     * MessageId) or asynchronously (returns the client's future, completed after the acknowledgement was recorded).
     */
    static Object stampedSend(TypedMessageBuilder<?> builder, int approximateBytes, boolean sync,
                              PulsarStamping.AckTracker acks, LatencyClock clock) throws Throwable {
        long now = clock.nowMicros();
        ProducerProbe probe = acks.probe();
        byte[] stamp = probe.beginSend(now, PacedSend.takeIntended());
        if (sync) {
            MessageId id;
            try {
                builder.property(LatencyStamp.HEADER, PulsarStamping.encode(stamp));
                id = builder.send();
            } catch (Throwable e) {
                probe.failed(stamp);
                throw e;
            }
            // a synchronous send flushes the batch right after enqueuing the message
            acks.onAck(stamp, id, null, approximateBytes, true);
            return id;
        }
        CompletableFuture<MessageId> future;
        try {
            builder.property(LatencyStamp.HEADER, PulsarStamping.encode(stamp));
            future = builder.sendAsync();
        } catch (Throwable e) {
            probe.failed(stamp);
            throw e;
        }
        probe.sendReturned(stamp, clock.nowMicros());
        if (future == null) {
            return null;
        }
        return after(future, (id, error) -> acks.onAck(stamp, id, error, approximateBytes, false));
    }

    /**
     * Handler of a wrapped {@code TypedMessageBuilder} on a pulsar-client newer than {@link LatencyMessageBuilder}
     * (which does the same without reflection): stamps {@code send} and {@code sendAsync}; fluent calls return the
     * wrapper.
     */
    static final class BuilderHandler implements InvocationHandler {
        private final Object delegate;
        private final PulsarStamping.AckTracker acks;
        private final LatencyClock clock;
        private int valueBytes;
        private int keyBytes;

        BuilderHandler(Object delegate, PulsarStamping.AckTracker acks, LatencyClock clock) {
            this.delegate = delegate;
            this.acks = acks;
            this.clock = clock;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            int n = args == null ? 0 : args.length;
            if (n == 0 && (name.equals("send") || name.equals("sendAsync")) && method.getDeclaringClass() != Object.class) {
                return stampedSend((TypedMessageBuilder<?>) delegate, valueBytes + keyBytes, name.equals("send"), acks,
                        clock);
            }
            Object own = Delegation.objectMethod(proxy, delegate, "LatencyMessageBuilder", method, args);
            if (own != null) {
                return own;
            }
            Object result = Delegation.forward(delegate, method, args);
            if (n == 1) {
                switch (name) {
                    case "value" -> valueBytes = PulsarStamping.approximateSize(args[0]);
                    case "key", "keyBytes" -> keyBytes = PulsarStamping.approximateSize(args[0]);
                    default -> { }
                }
            }
            return result == delegate ? proxy : result; // keep fluent chains on the wrapper
        }
    }

    // ---------------------------------------------------------------- consumer

    /**
     * Handler of a wrapped consumer: observes receive, receiveAsync, batchReceive(Async); forwards the rest.
     * The consumer's time line (see {@link PulsarStamping.ConsumerState}): free from entering a receive
     * call, or asking with {@code receiveAsync}/{@code batchReceiveAsync}, until the call returns (with a
     * message, empty, or by an exception) or the future completes (also exceptionally, or cancelled); busy
     * otherwise. The messages a call or future hands over are received when it returns or completes.
     */
    public static final class ConsumerHandler implements InvocationHandler {
        private final Object delegate;
        private final PulsarStamping.ReceiveObserver observer;
        private final PulsarStamping.ConsumerState state;
        private final LatencyClock clock;

        public ConsumerHandler(Object delegate, PulsarStamping.ReceiveObserver observer, LatencyClock clock) {
            this.delegate = delegate;
            this.observer = observer;
            this.state = observer.newConsumerState();
            this.clock = clock;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() != Object.class) {
                String name = method.getName();
                int n = args == null ? 0 : args.length;
                if ((name.equals("receive") && (n == 0 || (n == 2 && args[1] instanceof TimeUnit)))
                        || (name.equals("batchReceive") && n == 0)) {
                    return receive(method, args);
                }
                if ((name.equals("receiveAsync") || name.equals("batchReceiveAsync")) && n == 0) {
                    return receiveAsync(method);
                }
            }
            Object own = Delegation.objectMethod(proxy, delegate, "LatencyConsumer", method, args);
            return own != null ? own : Delegation.forward(delegate, method, args);
        }

        /** A blocking {@code receive}, {@code receive(timeout)} or {@code batchReceive}: asking while inside it. */
        private Object receive(Method method, Object[] args) throws Throwable {
            state.asking(clock.nowMicros());
            Object result = null;
            try {
                result = Delegation.forward(delegate, method, args);
            } finally {
                long returned = clock.nowMicros();
                state.answered(returned);
                observe(result, returned);
            }
            return result;
        }

        /**
         * An asynchronous receive: asking from the call until its future completes, when the message (or
         * batch) is received, before the application's own callbacks run.
         */
        @SuppressWarnings("unchecked")
        private Object receiveAsync(Method method) throws Throwable {
            state.asking(clock.nowMicros());
            Object result;
            try {
                result = Delegation.forward(delegate, method, null);
            } catch (Throwable e) {
                state.answered(clock.nowMicros());
                throw e;
            }
            if (!(result instanceof CompletableFuture<?> future)) {
                state.answered(clock.nowMicros());
                return result;
            }
            return after((CompletableFuture<Object>) future, (value, error) -> {
                long completed = clock.nowMicros();
                state.answered(completed);
                if (error == null) {
                    observe(value, completed);
                }
            });
        }

        private void observe(Object result, long receive) {
            if (result instanceof Message<?> m) {
                observer.observe(state, m, receive);
            } else if (result instanceof Messages<?> messages) {
                for (Message<?> m : messages) {
                    observer.observe(state, m, receive);
                }
            }
        }
    }
}
