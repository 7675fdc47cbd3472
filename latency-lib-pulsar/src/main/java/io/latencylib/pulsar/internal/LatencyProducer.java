package io.latencylib.pulsar.internal;

import io.latencylib.LatencyClock;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.ProducerStats;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.TypedMessageBuilder;
import org.apache.pulsar.client.api.transaction.Transaction;

/**
 * The wrapped producer: a plain class that forwards every method of {@code Producer} to the application's
 * producer, stamping {@code send} and {@code sendAsync} and wrapping the builders of {@code newMessage}. No
 * reflection and no argument array per send (the dynamic proxy it replaces cost both). When the running
 * pulsar-client's {@code Producer} has a method that is not in {@link #IMPLEMENTED} (a newer client),
 * {@link io.latencylib.pulsar.PulsarLatency#wrap} uses the proxy ({@link WrappingHandlers.ProducerHandler}).
 */
public final class LatencyProducer<T> implements Producer<T> {

    /** Every {@code Producer} method this class implements, {@code name(erased parameter types)}; a test checks it. */
    public static final Set<String> IMPLEMENTED = Set.of(
            "getTopic()", "getProducerName()", "send(java.lang.Object)", "sendAsync(java.lang.Object)", "flush()",
            "flushAsync()", "newMessage()", "newMessage(org.apache.pulsar.client.api.Schema)",
            "newMessage(org.apache.pulsar.client.api.transaction.Transaction)", "getLastSequenceId()", "getStats()",
            "close()", "closeAsync()", "isConnected()", "getLastDisconnectedTimestamp()", "getNumOfPartitions()");

    private final Producer<T> delegate;
    private final PulsarStamping.AckTracker acks;
    private final LatencyClock clock;

    public LatencyProducer(Producer<T> delegate, PulsarStamping.AckTracker acks, LatencyClock clock) {
        this.delegate = delegate;
        this.acks = acks;
        this.clock = clock;
    }

    /**
     * @return true when {@link #IMPLEMENTED} holds every instance method of the running {@code Producer}
     *     interface (abstract or default)
     */
    public static boolean coversRunningClient() {
        for (Method m : Producer.class.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) && !IMPLEMENTED.contains(signature(m))) {
                return false;
            }
        }
        return true;
    }

    /** {@code name(erased parameter types)}. */
    public static String signature(Method m) {
        StringBuilder s = new StringBuilder(m.getName()).append('(');
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            s.append(i == 0 ? "" : ",").append(types[i].getName());
        }
        return s.append(')').toString();
    }

    /** The application's producer. */
    public Producer<T> delegate() {
        return delegate;
    }

    /** {@code Producer.send(T)} is {@code newMessage().value(T).send()} (ProducerBase): the same path, stamped. */
    @Override
    public MessageId send(T message) throws PulsarClientException {
        TypedMessageBuilder<T> builder = delegate.newMessage().value(message);
        try {
            return (MessageId) WrappingHandlers.stampedSend(builder, PulsarStamping.approximateSize(message), true, acks,
                    clock);
        } catch (Throwable t) {
            throw WrappingHandlers.<RuntimeException>sneaky(t); // exactly what the client threw
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<MessageId> sendAsync(T message) {
        TypedMessageBuilder<T> builder = delegate.newMessage().value(message);
        try {
            return (CompletableFuture<MessageId>) WrappingHandlers.stampedSend(builder,
                    PulsarStamping.approximateSize(message), false, acks, clock);
        } catch (Throwable t) {
            throw WrappingHandlers.<RuntimeException>sneaky(t);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypedMessageBuilder<T> newMessage() {
        TypedMessageBuilder<T> builder = delegate.newMessage();
        return builder == null ? null : (TypedMessageBuilder<T>) WrappingHandlers.wrapBuilder(builder, acks, clock);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> TypedMessageBuilder<V> newMessage(Schema<V> schema) {
        TypedMessageBuilder<V> builder = delegate.newMessage(schema);
        return builder == null ? null : (TypedMessageBuilder<V>) WrappingHandlers.wrapBuilder(builder, acks, clock);
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypedMessageBuilder<T> newMessage(Transaction txn) {
        TypedMessageBuilder<T> builder = delegate.newMessage(txn);
        return builder == null ? null : (TypedMessageBuilder<T>) WrappingHandlers.wrapBuilder(builder, acks, clock);
    }

    @Override
    public String getTopic() {
        return delegate.getTopic();
    }

    @Override
    public String getProducerName() {
        return delegate.getProducerName();
    }

    @Override
    public void flush() throws PulsarClientException {
        delegate.flush();
    }

    @Override
    public CompletableFuture<Void> flushAsync() {
        return delegate.flushAsync();
    }

    @Override
    public long getLastSequenceId() {
        return delegate.getLastSequenceId();
    }

    @Override
    public ProducerStats getStats() {
        return delegate.getStats();
    }

    @Override
    public void close() throws PulsarClientException {
        delegate.close();
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        return delegate.closeAsync();
    }

    @Override
    public boolean isConnected() {
        return delegate.isConnected();
    }

    @Override
    public long getLastDisconnectedTimestamp() {
        return delegate.getLastDisconnectedTimestamp();
    }

    @Override
    public int getNumOfPartitions() {
        return delegate.getNumOfPartitions();
    }

    @Override
    public String toString() {
        return "LatencyProducer[" + delegate + "]";
    }
}
