package io.latencylib.pulsar.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.LatencyRecorder;
import io.latencylib.pulsar.PulsarLatency;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.TypedMessageBuilder;
import org.junit.jupiter.api.Test;

/**
 * The wrapped Pulsar producer and consumer are plain classes on the pulsar-client it was written for, and forward every
 * method of {@code Producer} to the application's producer (send and sendAsync are stamped: covered against a
 * real broker by WrapperTransparencyTest). The delegate is a recording stand-in: this checks forwarding.
 */
class PlainWrapperForwardingTest {

    @Test
    void theSignatureListIsWhatThePlainClassImplementsAndCoversThisClient() {
        List<String> declared = new ArrayList<>();
        for (Method m : LatencyProducer.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && !m.isBridge()
                    && !m.isSynthetic() && !m.getName().equals("delegate") && !m.getName().equals("toString")) {
                declared.add(LatencyProducer.signature(m));
            }
        }
        assertThat(LatencyProducer.IMPLEMENTED).containsExactlyInAnyOrderElementsOf(declared);
        assertThat(LatencyProducer.coversRunningClient()).isTrue();
        List<String> consumer = new ArrayList<>();
        for (Method m : LatencyConsumer.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && !m.isBridge()
                    && !m.isSynthetic() && !m.getName().equals("delegate") && !m.getName().equals("toString")) {
                consumer.add(LatencyProducer.signature(m));
            }
        }
        assertThat(LatencyConsumer.IMPLEMENTED).containsExactlyInAnyOrderElementsOf(consumer);
        assertThat(LatencyConsumer.coversRunningClient()).isTrue();
        List<String> builder = new ArrayList<>();
        for (Method m : LatencyMessageBuilder.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && !m.isBridge()
                    && !m.isSynthetic() && !m.getName().equals("toString")) {
                builder.add(LatencyProducer.signature(m));
            }
        }
        assertThat(LatencyMessageBuilder.IMPLEMENTED).containsExactlyInAnyOrderElementsOf(builder);
        assertThat(LatencyMessageBuilder.coversRunningClient()).isTrue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyBuilderMethodIsForwardedFluentCallsStayOnTheWrapperAndTheWrapperIsNotAProxy() throws Exception {
        Producer<Object> delegate = (Producer<Object>) Proxy.newProxyInstance(Producer.class.getClassLoader(),
                new Class<?>[] {Producer.class}, (p, m, a) -> {
                    Class<?> r = m.getReturnType();
                    if (m.getName().equals("newMessage")) {
                        return new StandInBuilder().builder;
                    }
                    if (m.getName().equals("hashCode")) {
                        return 1;
                    }
                    return r == boolean.class ? Boolean.FALSE : r == long.class ? (Object) 0L
                            : r == int.class ? (Object) 0 : null;
                });
        LatencyRecorder recorder = LatencyRecorder.create();
        Producer<Object> producer = PulsarLatency.wrap(delegate, Map.of(), recorder);
        TypedMessageBuilder<Object> wrapped = producer.newMessage();
        assertThat(wrapped).isInstanceOf(LatencyMessageBuilder.class);
        assertThat(producer.newMessage(org.apache.pulsar.client.api.Schema.STRING))
                .isInstanceOf(LatencyMessageBuilder.class).isNotSameAs(wrapped);
        assertThat(producer.newMessage((org.apache.pulsar.client.api.transaction.Transaction) null))
                .isInstanceOf(LatencyMessageBuilder.class);

        // the sizes the acknowledgement is weighed by, as the proxy tracks them
        assertThat(wrapped.value("abcd").key("kk")).isSameAs(wrapped);
        assertThat(((LatencyMessageBuilder<Object>) wrapped).approximateBytes()).isEqualTo(6);
        assertThat(wrapped.keyBytes(new byte[3])).isSameAs(wrapped);
        assertThat(((LatencyMessageBuilder<Object>) wrapped).approximateBytes()).isEqualTo(7);
        RuntimeException boom = new IllegalStateException("boom");
        TypedMessageBuilder<Object> failing = new LatencyMessageBuilder<>(
                (TypedMessageBuilder<Object>) Proxy.newProxyInstance(TypedMessageBuilder.class.getClassLoader(),
                        new Class<?>[] {TypedMessageBuilder.class}, (p, m, a) -> {
                            if (m.getName().equals("value")) {
                                throw boom;
                            }
                            return p;
                        }), null, null);
        assertThatThrownBy(() -> failing.value("x")).isSameAs(boom);
        assertThat(((LatencyMessageBuilder<Object>) failing).approximateBytes()).isZero(); // refused: not taken

        // the plain class and the proxy it replaces (still the fallback of a newer client) behave the same
        var acks = new PulsarStamping.AckTracker(PulsarStamping.newProducerProbe(recorder,
                PulsarStamping.ProducerTraits.from(Map.of())), recorder.clock(), PulsarStamping.ProducerTraits.from(Map.of()));
        StandInBuilder plain = new StandInBuilder();
        checkBuilder(new LatencyMessageBuilder<>(plain.builder, acks, recorder.clock()), plain);
        StandInBuilder proxied = new StandInBuilder();
        checkBuilder((TypedMessageBuilder<Object>) Proxy.newProxyInstance(TypedMessageBuilder.class.getClassLoader(),
                new Class<?>[] {TypedMessageBuilder.class},
                new WrappingHandlers.BuilderHandler(proxied.builder, acks, recorder.clock())), proxied);
        // per builder: the send() without a MessageId and the two sends that threw (sendAsync() got no future)
        assertThat(recorder.report().counts().sendErrors()).isEqualTo(6);
    }

    /** A recording stand-in of the client's builder. */
    @SuppressWarnings("unchecked")
    private static final class StandInBuilder {
        final List<String> calls = new ArrayList<>();
        /** What fluent calls return instead of the builder itself, when set. */
        Object other;
        /** What send and sendAsync throw, when set. */
        Throwable failure;
        final TypedMessageBuilder<Object> builder = (TypedMessageBuilder<Object>) Proxy.newProxyInstance(
                TypedMessageBuilder.class.getClassLoader(), new Class<?>[] {TypedMessageBuilder.class}, (p, m, a) -> {
                    if (m.getDeclaringClass() == Object.class) {
                        return switch (m.getName()) {
                            case "hashCode" -> 7;
                            case "equals" -> p == a[0];
                            default -> "client-builder";
                        };
                    }
                    calls.add(m.getName() + java.util.Arrays.toString(m.getParameterTypes()));
                    if (failure != null && m.getName().startsWith("send")) {
                        throw failure;
                    }
                    if (m.getReturnType() == TypedMessageBuilder.class) {
                        return other != null ? other : p;
                    }
                    return null; // send: no MessageId, sendAsync: no future
                });
    }

    private static void checkBuilder(TypedMessageBuilder<Object> wrapped, StandInBuilder client) throws Exception {
        // the proxy's own equals/hashCode/toString: identity, and LatencyMessageBuilder[client builder]
        assertThat(wrapped.toString()).isEqualTo("LatencyMessageBuilder[client-builder]");
        assertThat(wrapped.equals(wrapped)).isTrue();
        assertThat(wrapped.equals(client.builder)).isFalse();
        assertThat(wrapped.hashCode()).isEqualTo(System.identityHashCode(wrapped));
        assertThat(client.calls).isEmpty();
        Object other = Proxy.newProxyInstance(TypedMessageBuilder.class.getClassLoader(),
                new Class<?>[] {TypedMessageBuilder.class}, (p, m, a) -> null);
        int methods = 0;
        for (Method m : TypedMessageBuilder.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            methods++;
            Object[] args = new Object[m.getParameterCount()];
            for (int i = 0; i < args.length; i++) {
                args[i] = m.getParameterTypes()[i] == long.class ? (Object) 0L : null;
            }
            client.calls.clear();
            client.other = null;
            Object result = m.invoke(wrapped, args);
            String name = m.getName() + java.util.Arrays.toString(m.getParameterTypes());
            if (m.getName().startsWith("send")) {
                // stamped: the stamp is one more property, then the client's own send
                assertThat(client.calls).containsExactly("property[class java.lang.String, class java.lang.String]",
                        name);
                assertThat(result).isNull();
            } else {
                assertThat(client.calls).containsExactly(name);
                assertThat(result).isSameAs(wrapped); // the client's builder returned itself
                client.other = other;
                assertThat(m.invoke(wrapped, args)).isSameAs(other); // another builder: returned as it is
            }
        }
        assertThat(methods).isEqualTo(LatencyMessageBuilder.IMPLEMENTED.size());
        // the client's own exceptions, unchanged (checked ones too)
        client.failure = new org.apache.pulsar.client.api.PulsarClientException.AlreadyClosedException("closed");
        assertThatThrownBy(wrapped::send).isSameAs(client.failure);
        client.failure = new IllegalStateException("queue full");
        assertThatThrownBy(wrapped::sendAsync).isSameAs(client.failure);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyConsumerMethodIsForwardedAndTheWrapperIsNotAProxy() throws Exception {
        List<String> calls = new ArrayList<>();
        org.apache.pulsar.client.api.Consumer<Object> delegate = (org.apache.pulsar.client.api.Consumer<Object>)
                Proxy.newProxyInstance(org.apache.pulsar.client.api.Consumer.class.getClassLoader(),
                        new Class<?>[] {org.apache.pulsar.client.api.Consumer.class}, (p, m, a) -> {
                            calls.add(m.getName() + java.util.Arrays.toString(m.getParameterTypes()));
                            Class<?> r = m.getReturnType();
                            if (r == boolean.class) {
                                return Boolean.FALSE;
                            }
                            if (r == long.class) {
                                return 0L;
                            }
                            if (r == int.class) {
                                return 0;
                            }
                            return null;
                        });
        LatencyRecorder recorder = LatencyRecorder.create();
        org.apache.pulsar.client.api.Consumer<Object> wrapped = PulsarLatency.wrap(delegate, recorder);
        assertThat(wrapped).isInstanceOf(LatencyConsumer.class);
        assertThatThrownBy(() -> PulsarLatency.wrap(wrapped, recorder))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already wrapped");
        List<String> expected = new ArrayList<>();
        for (Method m : org.apache.pulsar.client.api.Consumer.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Object[] args = new Object[m.getParameterCount()];
            for (int i = 0; i < args.length; i++) {
                Class<?> t = m.getParameterTypes()[i];
                args[i] = t == int.class ? 0 : t == long.class ? (Object) 0L : t == boolean.class ? (Object) false : null;
            }
            m.invoke(wrapped, args);
            expected.add(m.getName() + java.util.Arrays.toString(m.getParameterTypes()));
        }
        assertThat(expected).hasSizeGreaterThan(40);
        assertThat(calls).containsAll(expected);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyProducerMethodIsForwardedAndTheWrapperIsNotAProxy() throws Exception {
        List<String> calls = new ArrayList<>();
        Producer<Object> delegate = (Producer<Object>) Proxy.newProxyInstance(Producer.class.getClassLoader(),
                new Class<?>[] {Producer.class}, (p, m, a) -> {
                    calls.add(m.getName() + java.util.Arrays.toString(m.getParameterTypes()));
                    Class<?> r = m.getReturnType();
                    if (m.getName().equals("hashCode")) {
                        return 1;
                    }
                    if (r == boolean.class) {
                        return Boolean.FALSE;
                    }
                    if (r == long.class) {
                        return 0L;
                    }
                    if (r == int.class) {
                        return 0;
                    }
                    return null;
                });
        LatencyRecorder recorder = LatencyRecorder.create();
        Producer<Object> wrapped = PulsarLatency.wrap(delegate, Map.of(), recorder);
        assertThat(wrapped).isInstanceOf(LatencyProducer.class);
        assertThat(wrapped.toString()).startsWith("LatencyProducer[");
        assertThatThrownBy(() -> PulsarLatency.wrap(wrapped, Map.of(), recorder))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already wrapped");
        List<String> expected = new ArrayList<>();
        for (Method m : Producer.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getName().startsWith("send")) {
                continue;
            }
            m.invoke(wrapped, new Object[m.getParameterCount()]);
            expected.add(m.getName() + java.util.Arrays.toString(m.getParameterTypes()));
        }
        assertThat(expected).hasSizeGreaterThan(10);
        assertThat(calls).containsAll(expected);
    }
}
