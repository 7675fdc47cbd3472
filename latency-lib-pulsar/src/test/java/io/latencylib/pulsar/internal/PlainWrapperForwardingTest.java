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
