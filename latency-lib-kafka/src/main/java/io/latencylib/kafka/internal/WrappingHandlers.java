package io.latencylib.kafka.internal;

import io.latencylib.LatencyClock;
import io.latencylib.spi.PacedSend;
import io.latencylib.spi.ProducerProbe;
import io.latencylib.spi.Delegation;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic-proxy handlers behind the wrapped {@code Producer} and {@code Consumer}. A proxy serves
 * every method of the interface the application has on its classpath, so a newer kafka-clients
 * that adds methods keeps working (a hand-written {@code implements} would throw AbstractMethodError).
 */
public final class WrappingHandlers {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.kafka");

    private WrappingHandlers() {
    }

    /**
     * Handler of a wrapped producer: stamps on {@code send}; tells the probe when
     * {@code beginTransaction}, {@code commitTransaction} and {@code abortTransaction} returned and when
     * the producer was closed; forwards everything untouched.
     */
    public static final class ProducerHandler implements InvocationHandler {
        private final Object delegate;
        private final ProducerProbe probe;
        private final LatencyClock clock;
        private final KafkaStamping.AckTracker acks;

        public ProducerHandler(Object delegate, ProducerProbe probe, LatencyClock clock, long bufferMemory) {
            this.delegate = delegate;
            this.probe = probe;
            this.clock = clock;
            this.acks = new KafkaStamping.AckTracker(probe, clock, bufferMemory);
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("send") && args != null && args[0] instanceof ProducerRecord<?, ?> record
                    && (args.length == 1 || (args.length == 2 && (args[1] == null || args[1] instanceof Callback)))) {
                return send(record, args.length == 2 ? (Callback) args[1] : null);
            }
            if (args == null) {
                switch (method.getName()) {
                    case "beginTransaction" -> {
                        Object result = Delegation.forward(delegate, method, args);
                        quietly(probe::transactionBegan);
                        return result;
                    }
                    case "commitTransaction" -> {
                        Object result = Delegation.forward(delegate, method, args);
                        long now = clock.nowMicros();
                        quietly(() -> probe.transactionCommitted(now));
                        return result;
                    }
                    case "abortTransaction" -> {
                        Object result = Delegation.forward(delegate, method, args);
                        quietly(probe::transactionAborted);
                        return result;
                    }
                    default -> {
                    }
                }
            }
            if (method.getName().equals("close") && method.getDeclaringClass() != Object.class) {
                try {
                    return Delegation.forward(delegate, method, args);
                } finally {
                    quietly(probe::close); // its join table is released once nothing waits in it
                }
            }
            Object own = Delegation.objectMethod(proxy, delegate, "LatencyProducer", method, args);
            return own != null ? own : Delegation.forward(delegate, method, args);
        }

        private Object send(ProducerRecord<?, ?> record, Callback callback) {
            long now = clock.nowMicros();
            byte[] stamp = probe.beginSend(now, PacedSend.takeIntended());
            ProducerRecord<?, ?> stamped = KafkaStamping.attach(record, stamp);
            KafkaStamping.AckCallback ackCallback = new KafkaStamping.AckCallback(acks, stamp, callback);
            Future<?> future;
            try {
                @SuppressWarnings({"unchecked", "rawtypes"})
                Future<?> sent = ((Producer) delegate).send(stamped, ackCallback);
                future = sent;
            } catch (RuntimeException e) {
                probe.failed(stamp);
                throw (RuntimeException) acks.explain(e);
            } catch (Error e) {
                probe.failed(stamp);
                throw e;
            }
            probe.sendReturned(stamp, clock.nowMicros());
            // Kafka reports a record too large for max.request.size through the callback, before send
            // returns, and through a future that has already failed: that future says the same as the callback
            Exception explained = ackCallback.explained();
            return explained == null ? future : new FailedSend(explained);
        }
    }

    /** Runs a probe call that must not disturb the application's call (rare calls only: it allocates). */
    private static void quietly(Runnable probeCall) {
        try {
            probeCall.run();
        } catch (RuntimeException e) {
            log.warn("latency-lib could not record a producer event; the application is not affected", e);
        }
    }

    /** The future of a send that failed before it was sent, as Kafka's own: done, its get() throws. */
    static final class FailedSend implements Future<RecordMetadata> {
        private final Exception failure;

        FailedSend(Exception failure) {
            this.failure = failure;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public RecordMetadata get() throws ExecutionException {
            throw new ExecutionException(failure);
        }

        @Override
        public RecordMetadata get(long timeout, TimeUnit unit) throws ExecutionException {
            throw new ExecutionException(failure);
        }
    }

    /** Handler of a wrapped consumer: observes {@code poll}, forwards everything else untouched. */
    public static final class ConsumerHandler implements InvocationHandler {
        private final Object delegate;
        private final LatencyClock clock;
        private final KafkaStamping.PollObserver observer;

        public ConsumerHandler(Object delegate, KafkaStamping.PollObserver observer, LatencyClock clock) {
            this.delegate = delegate;
            this.observer = observer;
            this.clock = clock;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("poll") && args != null && args.length == 1) {
                // the consumer's time line: free while inside poll(), busy from its return to the next poll()
                observer.pollEntered(clock.nowMicros());
                Object result;
                try {
                    result = Delegation.forward(delegate, method, args);
                } catch (Throwable t) {
                    observer.pollReturned(clock.nowMicros());
                    throw t;
                }
                long receive = clock.nowMicros();
                observer.pollReturned(receive);
                if (result instanceof ConsumerRecords<?, ?> records && !records.isEmpty()) {
                    observer.observe(records, receive);
                }
                return result;
            }
            Object own = Delegation.objectMethod(proxy, delegate, "LatencyConsumer", method, args);
            return own != null ? own : Delegation.forward(delegate, method, args);
        }
    }
}
