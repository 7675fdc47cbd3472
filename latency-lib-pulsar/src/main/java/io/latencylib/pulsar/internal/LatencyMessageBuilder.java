package io.latencylib.pulsar.internal;

import io.latencylib.LatencyClock;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.TypedMessageBuilder;

/**
 * The wrapped message builder of {@code newMessage()}: a plain class that forwards every method of
 * {@code TypedMessageBuilder} to the client's builder, stamping {@code send} and {@code sendAsync}
 * ({@link WrappingHandlers#stampedSend}); a fluent call whose client builder returns itself returns this wrapper,
 * so a chain stays stamped. No proxy per message and no reflection or argument array per call (the dynamic proxy
 * of {@link WrappingHandlers.BuilderHandler} cost both). When the running pulsar-client's {@code TypedMessageBuilder}
 * has a method that is not in {@link #IMPLEMENTED} (a newer client), {@link WrappingHandlers#wrapBuilder} uses the
 * proxy. {@code equals}/{@code hashCode} are identity, as the proxy's.
 */
public final class LatencyMessageBuilder<T> implements TypedMessageBuilder<T> {

    /** Every {@code TypedMessageBuilder} method this class implements, {@code name(erased parameter types)}; a test checks it. */
    public static final Set<String> IMPLEMENTED = Set.of(
            "send()", "sendAsync()", "key(java.lang.String)", "keyBytes([B)", "orderingKey([B)",
            "value(java.lang.Object)", "property(java.lang.String,java.lang.String)", "properties(java.util.Map)",
            "eventTime(long)", "sequenceId(long)", "replicationClusters(java.util.List)", "disableReplication()",
            "deliverAt(long)", "deliverAfter(long,java.util.concurrent.TimeUnit)", "loadConf(java.util.Map)");

    private final TypedMessageBuilder<T> delegate;
    private final PulsarStamping.AckTracker acks;
    private final LatencyClock clock;
    private int valueBytes;
    private int keyBytes;

    public LatencyMessageBuilder(TypedMessageBuilder<T> delegate, PulsarStamping.AckTracker acks, LatencyClock clock) {
        this.delegate = delegate;
        this.acks = acks;
        this.clock = clock;
    }

    /**
     * @return true when {@link #IMPLEMENTED} holds every instance method of the running {@code TypedMessageBuilder}
     *     interface (abstract or default)
     */
    public static boolean coversRunningClient() {
        for (Method m : TypedMessageBuilder.class.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) && !IMPLEMENTED.contains(LatencyProducer.signature(m))) {
                return false;
            }
        }
        return true;
    }

    /** The approximate size of the value and key set so far (what the acknowledgement is weighed by). */
    int approximateBytes() {
        return valueBytes + keyBytes;
    }

    /** The wrapper where the client's builder returned itself (a fluent chain stays on the wrapper). */
    private TypedMessageBuilder<T> fluent(TypedMessageBuilder<T> result) {
        return result == delegate ? this : result;
    }

    @Override
    public MessageId send() throws PulsarClientException {
        try {
            return (MessageId) WrappingHandlers.stampedSend(delegate, valueBytes + keyBytes, true, acks, clock);
        } catch (Throwable t) {
            throw WrappingHandlers.<RuntimeException>sneaky(t); // exactly what the client threw
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<MessageId> sendAsync() {
        try {
            return (CompletableFuture<MessageId>) WrappingHandlers.stampedSend(delegate, valueBytes + keyBytes, false,
                    acks, clock);
        } catch (Throwable t) {
            throw WrappingHandlers.<RuntimeException>sneaky(t);
        }
    }

    @Override
    public TypedMessageBuilder<T> key(String key) {
        TypedMessageBuilder<T> result = delegate.key(key);
        keyBytes = PulsarStamping.approximateSize(key);
        return fluent(result);
    }

    @Override
    public TypedMessageBuilder<T> keyBytes(byte[] key) {
        TypedMessageBuilder<T> result = delegate.keyBytes(key);
        keyBytes = PulsarStamping.approximateSize(key);
        return fluent(result);
    }

    @Override
    public TypedMessageBuilder<T> orderingKey(byte[] orderingKey) {
        return fluent(delegate.orderingKey(orderingKey));
    }

    @Override
    public TypedMessageBuilder<T> value(T value) {
        TypedMessageBuilder<T> result = delegate.value(value);
        valueBytes = PulsarStamping.approximateSize(value);
        return fluent(result);
    }

    @Override
    public TypedMessageBuilder<T> property(String name, String value) {
        return fluent(delegate.property(name, value));
    }

    @Override
    public TypedMessageBuilder<T> properties(Map<String, String> properties) {
        return fluent(delegate.properties(properties));
    }

    @Override
    public TypedMessageBuilder<T> eventTime(long timestamp) {
        return fluent(delegate.eventTime(timestamp));
    }

    @Override
    public TypedMessageBuilder<T> sequenceId(long sequenceId) {
        return fluent(delegate.sequenceId(sequenceId));
    }

    @Override
    public TypedMessageBuilder<T> replicationClusters(List<String> clusters) {
        return fluent(delegate.replicationClusters(clusters));
    }

    @Override
    public TypedMessageBuilder<T> disableReplication() {
        return fluent(delegate.disableReplication());
    }

    @Override
    public TypedMessageBuilder<T> deliverAt(long timestamp) {
        return fluent(delegate.deliverAt(timestamp));
    }

    @Override
    public TypedMessageBuilder<T> deliverAfter(long delay, TimeUnit unit) {
        return fluent(delegate.deliverAfter(delay, unit));
    }

    @Override
    public TypedMessageBuilder<T> loadConf(Map<String, Object> config) {
        return fluent(delegate.loadConf(config));
    }

    /** As the proxy's: {@code LatencyMessageBuilder[client builder]}. */
    @Override
    public String toString() {
        return "LatencyMessageBuilder[" + delegate + "]";
    }
}
