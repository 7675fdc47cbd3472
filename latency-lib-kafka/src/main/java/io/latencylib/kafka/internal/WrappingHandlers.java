package io.latencylib.kafka.internal;

import io.latencylib.spi.Delegation;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic-proxy handlers, the fallback behind the wrapped {@code Producer} and {@code Consumer} when the
 * running kafka-clients has interface methods that the plain {@link LatencyProducer} and {@link LatencyConsumer}
 * do not implement (a client newer than this library: a plain class would throw AbstractMethodError for them).
 * A proxy serves every method of the interface the application has on its classpath.
 */
public final class WrappingHandlers {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.kafka");

    private WrappingHandlers() {
    }

    /**
     * Handler of the proxy used when the running kafka-clients has {@code Producer} methods that
     * {@link LatencyProducer} does not implement (a newer client): {@code send}, the transaction methods and
     * {@code close} go to the {@link LatencyProducer}, everything else is forwarded untouched.
     */
    public static final class ProducerHandler implements InvocationHandler {
        private final LatencyProducer<?, ?> wrapped;
        private final Object delegate;

        public ProducerHandler(LatencyProducer<?, ?> wrapped) {
            this.wrapped = wrapped;
            this.delegate = wrapped.delegate();
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("send") && args != null && args[0] instanceof ProducerRecord<?, ?> record
                    && (args.length == 1 || (args.length == 2 && (args[1] == null || args[1] instanceof Callback)))) {
                return ((LatencyProducer) wrapped).send(record, args.length == 2 ? (Callback) args[1] : null);
            }
            if (args == null) {
                switch (method.getName()) {
                    case "beginTransaction" -> {
                        wrapped.beginTransaction();
                        return null;
                    }
                    case "commitTransaction" -> {
                        wrapped.commitTransaction();
                        return null;
                    }
                    case "abortTransaction" -> {
                        wrapped.abortTransaction();
                        return null;
                    }
                    default -> {
                    }
                }
            }
            if (method.getName().equals("close") && method.getDeclaringClass() != Object.class) {
                try {
                    return Delegation.forward(delegate, method, args);
                } finally {
                    wrapped.closed(); // its join table is released once nothing waits in it
                }
            }
            Object own = Delegation.objectMethod(proxy, delegate, "LatencyProducer", method, args);
            return own != null ? own : Delegation.forward(delegate, method, args);
        }
    }

    /** Runs a probe call that must not disturb the application's call (rare calls only: it allocates). */
    static void quietly(Runnable probeCall) {
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

    /**
     * Handler of the proxy used when the running kafka-clients has {@code Consumer} methods that
     * {@link LatencyConsumer} does not implement (a newer client): {@code poll} goes to the {@link LatencyConsumer},
     * everything else is forwarded untouched.
     */
    public static final class ConsumerHandler implements InvocationHandler {
        private final LatencyConsumer<?, ?> wrapped;
        private final Object delegate;

        public ConsumerHandler(LatencyConsumer<?, ?> wrapped) {
            this.wrapped = wrapped;
            this.delegate = wrapped.delegate();
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("poll") && args != null && args.length == 1) {
                if (args[0] instanceof Duration timeout) {
                    return wrapped.poll(timeout);
                }
                if (args[0] instanceof Long timeoutMs) {
                    return wrapped.poll(timeoutMs.longValue());
                }
            }
            Object own = Delegation.objectMethod(proxy, delegate, "LatencyConsumer", method, args);
            return own != null ? own : Delegation.forward(delegate, method, args);
        }
    }
}
