package io.latencylib.pulsar.internal;

import io.latencylib.LatencyClock;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.ConsumerStats;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Messages;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.TopicMessageId;
import org.apache.pulsar.client.api.transaction.Transaction;

/**
 * The wrapped consumer: a plain class that forwards every method of {@code Consumer} (and of
 * {@code MessageAcknowledger}, defaults included: they reach the client's own overrides) to the application's
 * consumer, observing {@code receive}, {@code receive(timeout)}, {@code batchReceive} and their asynchronous
 * forms exactly as {@link WrappingHandlers.ConsumerHandler} does. No reflection and no argument array per
 * receive. When the running pulsar-client's {@code Consumer} has a method not in {@link #IMPLEMENTED} (a newer
 * client), {@link io.latencylib.pulsar.PulsarLatency#wrap} uses the proxy instead.
 */
public final class LatencyConsumer<T> implements Consumer<T> {

    /** Every {@code Consumer} method this class implements, {@code name(erased parameter types)}; a test checks it. */
    public static final Set<String> IMPLEMENTED = Set.of(
            "acknowledge(java.util.List)",
            "acknowledge(org.apache.pulsar.client.api.Message)",
            "acknowledge(org.apache.pulsar.client.api.MessageId)",
            "acknowledge(org.apache.pulsar.client.api.Messages)",
            "acknowledgeAsync(java.util.List)",
            "acknowledgeAsync(java.util.List,org.apache.pulsar.client.api.transaction.Transaction)",
            "acknowledgeAsync(org.apache.pulsar.client.api.Message)",
            "acknowledgeAsync(org.apache.pulsar.client.api.MessageId)",
            "acknowledgeAsync(org.apache.pulsar.client.api.MessageId,org.apache.pulsar.client.api.transaction.Transaction)",
            "acknowledgeAsync(org.apache.pulsar.client.api.Messages)",
            "acknowledgeAsync(org.apache.pulsar.client.api.Messages,org.apache.pulsar.client.api.transaction.Transaction)",
            "acknowledgeCumulative(org.apache.pulsar.client.api.Message)",
            "acknowledgeCumulative(org.apache.pulsar.client.api.MessageId)",
            "acknowledgeCumulativeAsync(org.apache.pulsar.client.api.Message)",
            "acknowledgeCumulativeAsync(org.apache.pulsar.client.api.MessageId)",
            "acknowledgeCumulativeAsync(org.apache.pulsar.client.api.MessageId,org.apache.pulsar.client.api.transaction.Transaction)",
            "batchReceive()",
            "batchReceiveAsync()",
            "close()",
            "closeAsync()",
            "getConsumerName()",
            "getLastDisconnectedTimestamp()",
            "getLastMessageId()",
            "getLastMessageIdAsync()",
            "getLastMessageIds()",
            "getLastMessageIdsAsync()",
            "getStats()",
            "getSubscription()",
            "getTopic()",
            "hasReachedEndOfTopic()",
            "isConnected()",
            "negativeAcknowledge(org.apache.pulsar.client.api.Message)",
            "negativeAcknowledge(org.apache.pulsar.client.api.MessageId)",
            "negativeAcknowledge(org.apache.pulsar.client.api.Messages)",
            "pause()",
            "receive()",
            "receive(int,java.util.concurrent.TimeUnit)",
            "receiveAsync()",
            "reconsumeLater(org.apache.pulsar.client.api.Message,java.util.Map,long,java.util.concurrent.TimeUnit)",
            "reconsumeLater(org.apache.pulsar.client.api.Message,long,java.util.concurrent.TimeUnit)",
            "reconsumeLater(org.apache.pulsar.client.api.Messages,long,java.util.concurrent.TimeUnit)",
            "reconsumeLaterAsync(org.apache.pulsar.client.api.Message,java.util.Map,long,java.util.concurrent.TimeUnit)",
            "reconsumeLaterAsync(org.apache.pulsar.client.api.Message,long,java.util.concurrent.TimeUnit)",
            "reconsumeLaterAsync(org.apache.pulsar.client.api.Messages,long,java.util.concurrent.TimeUnit)",
            "reconsumeLaterCumulative(org.apache.pulsar.client.api.Message,long,java.util.concurrent.TimeUnit)",
            "reconsumeLaterCumulativeAsync(org.apache.pulsar.client.api.Message,java.util.Map,long,java.util.concurrent.TimeUnit)",
            "reconsumeLaterCumulativeAsync(org.apache.pulsar.client.api.Message,long,java.util.concurrent.TimeUnit)",
            "redeliverUnacknowledgedMessages()",
            "resume()",
            "seek(java.util.function.Function)",
            "seek(long)",
            "seek(org.apache.pulsar.client.api.MessageId)",
            "seekAsync(java.util.function.Function)",
            "seekAsync(long)",
            "seekAsync(org.apache.pulsar.client.api.MessageId)",
            "unsubscribe()",
            "unsubscribe(boolean)",
            "unsubscribeAsync()",
            "unsubscribeAsync(boolean)");

    private final Consumer<T> delegate;
    private final PulsarStamping.ReceiveObserver observer;
    private final PulsarStamping.ConsumerState state;
    private final LatencyClock clock;

    public LatencyConsumer(Consumer<T> delegate, PulsarStamping.ReceiveObserver observer, LatencyClock clock) {
        this.delegate = delegate;
        this.observer = observer;
        this.state = observer.newConsumerState();
        this.clock = clock;
    }

    /** @return true when {@link #IMPLEMENTED} holds every instance method of the running {@code Consumer} */
    public static boolean coversRunningClient() {
        for (Method m : Consumer.class.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) && !IMPLEMENTED.contains(LatencyProducer.signature(m))) {
                return false;
            }
        }
        return true;
    }

    /** The application's consumer. */
    public Consumer<T> delegate() {
        return delegate;
    }

    // ---------------------------------------------------------------- observed: asking while inside the call

    @Override
    public Message<T> receive() throws PulsarClientException {
        state.asking(clock.nowMicros());
        Message<T> result = null;
        try {
            result = delegate.receive();
        } finally {
            answered(result);
        }
        return result;
    }

    @Override
    public Message<T> receive(int timeout, TimeUnit unit) throws PulsarClientException {
        state.asking(clock.nowMicros());
        Message<T> result = null;
        try {
            result = delegate.receive(timeout, unit);
        } finally {
            answered(result);
        }
        return result;
    }

    @Override
    public Messages<T> batchReceive() throws PulsarClientException {
        state.asking(clock.nowMicros());
        Messages<T> result = null;
        try {
            result = delegate.batchReceive();
        } finally {
            answered(result);
        }
        return result;
    }

    private void answered(Object result) {
        long returned = clock.nowMicros();
        state.answered(returned);
        observe(result, returned);
    }

    // ---------------------------------------------------------------- observed: asking until the future completes

    @Override
    public CompletableFuture<Message<T>> receiveAsync() {
        state.asking(clock.nowMicros());
        CompletableFuture<Message<T>> result;
        try {
            result = delegate.receiveAsync();
        } catch (RuntimeException | Error e) {
            state.answered(clock.nowMicros());
            throw e;
        }
        return completing(result);
    }

    @Override
    public CompletableFuture<Messages<T>> batchReceiveAsync() {
        state.asking(clock.nowMicros());
        CompletableFuture<Messages<T>> result;
        try {
            result = delegate.batchReceiveAsync();
        } catch (RuntimeException | Error e) {
            state.answered(clock.nowMicros());
            throw e;
        }
        return completing(result);
    }

    private <R> CompletableFuture<R> completing(CompletableFuture<R> result) {
        if (result == null) {
            state.answered(clock.nowMicros());
            return null;
        }
        return WrappingHandlers.after(result, (value, error) -> {
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

    // ---------------------------------------------------------------- forwarded untouched

    @Override
    public String getTopic() {
        return delegate.getTopic();
    }

    @Override
    public String getSubscription() {
        return delegate.getSubscription();
    }

    @Override
    public void unsubscribe() throws PulsarClientException {
        delegate.unsubscribe();
    }

    @Override
    public CompletableFuture<Void> unsubscribeAsync() {
        return delegate.unsubscribeAsync();
    }

    @Override
    public void unsubscribe(boolean a0) throws PulsarClientException {
        delegate.unsubscribe(a0);
    }

    @Override
    public CompletableFuture<Void> unsubscribeAsync(boolean a0) {
        return delegate.unsubscribeAsync(a0);
    }

    @Override
    public void negativeAcknowledge(Message<?> a0) {
        delegate.negativeAcknowledge(a0);
    }

    @Override
    public void negativeAcknowledge(MessageId a0) {
        delegate.negativeAcknowledge(a0);
    }

    @Override
    public void negativeAcknowledge(Messages<?> a0) {
        delegate.negativeAcknowledge(a0);
    }

    @Override
    public void reconsumeLater(Message<?> a0, long a1, TimeUnit a2) throws PulsarClientException {
        delegate.reconsumeLater(a0, a1, a2);
    }

    @Override
    public void reconsumeLater(Message<?> a0, Map<String, String> a1, long a2, TimeUnit a3) throws PulsarClientException {
        delegate.reconsumeLater(a0, a1, a2, a3);
    }

    @Override
    public void reconsumeLater(Messages<?> a0, long a1, TimeUnit a2) throws PulsarClientException {
        delegate.reconsumeLater(a0, a1, a2);
    }

    @Override
    public void reconsumeLaterCumulative(Message<?> a0, long a1, TimeUnit a2) throws PulsarClientException {
        delegate.reconsumeLaterCumulative(a0, a1, a2);
    }

    @Override
    public CompletableFuture<Void> reconsumeLaterAsync(Message<?> a0, long a1, TimeUnit a2) {
        return delegate.reconsumeLaterAsync(a0, a1, a2);
    }

    @Override
    public CompletableFuture<Void> reconsumeLaterAsync(Message<?> a0, Map<String, String> a1, long a2, TimeUnit a3) {
        return delegate.reconsumeLaterAsync(a0, a1, a2, a3);
    }

    @Override
    public CompletableFuture<Void> reconsumeLaterAsync(Messages<?> a0, long a1, TimeUnit a2) {
        return delegate.reconsumeLaterAsync(a0, a1, a2);
    }

    @Override
    public CompletableFuture<Void> reconsumeLaterCumulativeAsync(Message<?> a0, long a1, TimeUnit a2) {
        return delegate.reconsumeLaterCumulativeAsync(a0, a1, a2);
    }

    @Override
    public CompletableFuture<Void> reconsumeLaterCumulativeAsync(Message<?> a0, Map<String, String> a1, long a2, TimeUnit a3) {
        return delegate.reconsumeLaterCumulativeAsync(a0, a1, a2, a3);
    }

    @Override
    public ConsumerStats getStats() {
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
    public boolean hasReachedEndOfTopic() {
        return delegate.hasReachedEndOfTopic();
    }

    @Override
    public void redeliverUnacknowledgedMessages() {
        delegate.redeliverUnacknowledgedMessages();
    }

    @Override
    public void seek(MessageId a0) throws PulsarClientException {
        delegate.seek(a0);
    }

    @Override
    public void seek(long a0) throws PulsarClientException {
        delegate.seek(a0);
    }

    @Override
    public void seek(Function<String, Object> a0) throws PulsarClientException {
        delegate.seek(a0);
    }

    @Override
    public CompletableFuture<Void> seekAsync(Function<String, Object> a0) {
        return delegate.seekAsync(a0);
    }

    @Override
    public CompletableFuture<Void> seekAsync(MessageId a0) {
        return delegate.seekAsync(a0);
    }

    @Override
    public CompletableFuture<Void> seekAsync(long a0) {
        return delegate.seekAsync(a0);
    }

    @Override
    public MessageId getLastMessageId() throws PulsarClientException {
        return delegate.getLastMessageId();
    }

    @Override
    public CompletableFuture<MessageId> getLastMessageIdAsync() {
        return delegate.getLastMessageIdAsync();
    }

    @Override
    public List<TopicMessageId> getLastMessageIds() throws PulsarClientException {
        return delegate.getLastMessageIds();
    }

    @Override
    public CompletableFuture<List<TopicMessageId>> getLastMessageIdsAsync() {
        return delegate.getLastMessageIdsAsync();
    }

    @Override
    public boolean isConnected() {
        return delegate.isConnected();
    }

    @Override
    public String getConsumerName() {
        return delegate.getConsumerName();
    }

    @Override
    public void pause() {
        delegate.pause();
    }

    @Override
    public void resume() {
        delegate.resume();
    }

    @Override
    public long getLastDisconnectedTimestamp() {
        return delegate.getLastDisconnectedTimestamp();
    }

    @Override
    public void acknowledge(MessageId a0) throws PulsarClientException {
        delegate.acknowledge(a0);
    }

    @Override
    public void acknowledge(Message<?> a0) throws PulsarClientException {
        delegate.acknowledge(a0);
    }

    @Override
    public void acknowledge(List<MessageId> a0) throws PulsarClientException {
        delegate.acknowledge(a0);
    }

    @Override
    public void acknowledge(Messages<?> a0) throws PulsarClientException {
        delegate.acknowledge(a0);
    }

    @Override
    public void acknowledgeCumulative(MessageId a0) throws PulsarClientException {
        delegate.acknowledgeCumulative(a0);
    }

    @Override
    public void acknowledgeCumulative(Message<?> a0) throws PulsarClientException {
        delegate.acknowledgeCumulative(a0);
    }

    @Override
    public CompletableFuture<Void> acknowledgeAsync(MessageId a0, Transaction a1) {
        return delegate.acknowledgeAsync(a0, a1);
    }

    @Override
    public CompletableFuture<Void> acknowledgeAsync(MessageId a0) {
        return delegate.acknowledgeAsync(a0);
    }

    @Override
    public CompletableFuture<Void> acknowledgeAsync(List<MessageId> a0, Transaction a1) {
        return delegate.acknowledgeAsync(a0, a1);
    }

    @Override
    public CompletableFuture<Void> acknowledgeAsync(List<MessageId> a0) {
        return delegate.acknowledgeAsync(a0);
    }

    @Override
    public CompletableFuture<Void> acknowledgeAsync(Message<?> a0) {
        return delegate.acknowledgeAsync(a0);
    }

    @Override
    public CompletableFuture<Void> acknowledgeAsync(Messages<?> a0) {
        return delegate.acknowledgeAsync(a0);
    }

    @Override
    public CompletableFuture<Void> acknowledgeAsync(Messages<?> a0, Transaction a1) {
        return delegate.acknowledgeAsync(a0, a1);
    }

    @Override
    public CompletableFuture<Void> acknowledgeCumulativeAsync(MessageId a0, Transaction a1) {
        return delegate.acknowledgeCumulativeAsync(a0, a1);
    }

    @Override
    public CompletableFuture<Void> acknowledgeCumulativeAsync(Message<?> a0) {
        return delegate.acknowledgeCumulativeAsync(a0);
    }

    @Override
    public CompletableFuture<Void> acknowledgeCumulativeAsync(MessageId a0) {
        return delegate.acknowledgeCumulativeAsync(a0);
    }

    @Override
    public String toString() {
        return "LatencyConsumer[" + delegate + "]";
    }
}
