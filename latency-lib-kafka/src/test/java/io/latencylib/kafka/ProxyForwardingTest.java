package io.latencylib.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.kafka.internal.Forwarding;
import io.latencylib.kafka.internal.KafkaStamping;
import io.latencylib.kafka.internal.LatencyConsumer;
import io.latencylib.kafka.internal.LatencyProducer;
import io.latencylib.kafka.internal.WrappingHandlers;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;

/**
 * The wrappers serve every method of the Producer and Consumer interfaces that the running
 * kafka-clients has by forwarding it to the wrapped client: the plain {@link LatencyProducer} and
 * {@link LatencyConsumer} for the clients they were written for, and the dynamic proxy they fall back
 * to for methods added after this library was compiled (a hand-written {@code implements Consumer}
 * compiled against an older client would throw AbstractMethodError for those). The delegate here is a
 * recording stand-in (no broker is involved: this checks forwarding, not Kafka).
 */
class ProxyForwardingTest {

    @Test
    void everyConsumerMethodOfTheRunningClientIsForwarded() throws Exception {
        assertForwardsEverything(Consumer.class);
    }

    @Test
    void everyProducerMethodOfTheRunningClientIsForwarded() throws Exception {
        assertForwardsEverything(Producer.class);
    }

    @Test
    void onThisClientTheWrappersArePlainClassesNotProxies() {
        LatencyRecorder recorder = LatencyRecorder.create();
        Producer<Object, Object> producer = KafkaLatency.wrap(recordingStandIn(Producer.class, new ArrayList<>()),
                Map.of(), recorder);
        Consumer<Object, Object> consumer = KafkaLatency.wrap(recordingStandIn(Consumer.class, new ArrayList<>()),
                recorder);
        assertThat(producer).isInstanceOf(LatencyProducer.class);
        assertThat(consumer).isInstanceOf(LatencyConsumer.class);
        assertThat(producer.toString()).startsWith("LatencyProducer[");
        assertThatThrownBy(() -> KafkaLatency.wrap(producer, Map.of(), recorder))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already wrapped");
        assertThatThrownBy(() -> KafkaLatency.wrap(consumer, recorder))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already wrapped");
    }

    @Test
    void theSignatureListsAreWhatThePlainClassesImplement() {
        assertThat(LatencyProducer.IMPLEMENTED).containsExactlyInAnyOrderElementsOf(declared(LatencyProducer.class));
        assertThat(LatencyConsumer.IMPLEMENTED).containsExactlyInAnyOrderElementsOf(declared(LatencyConsumer.class));
        assertThat(Forwarding.implementsAll(Producer.class, LatencyProducer.IMPLEMENTED)).isTrue();
        assertThat(Forwarding.implementsAll(Consumer.class, LatencyConsumer.IMPLEMENTED)).isTrue();
        // a client with one more method than the plain class knows gets the proxy
        assertThat(Forwarding.implementsAll(Consumer.class, Set.copyOf(LatencyConsumer.IMPLEMENTED.stream()
                .filter(sig -> !sig.equals("wakeup()")).toList()))).isFalse();
    }

    @Test
    void theProxyFallbackForwardsEveryConsumerMethod() throws Exception {
        assertForwardsEverything(Consumer.class, delegate -> (Consumer<?, ?>) Proxy.newProxyInstance(
                Consumer.class.getClassLoader(), new Class<?>[] {Consumer.class}, new WrappingHandlers.ConsumerHandler(
                        new LatencyConsumer<>((Consumer<?, ?>) delegate,
                                new KafkaStamping.PollObserver(LatencyRecorder.create()), LatencyClock.system()))));
    }

    @Test
    void theProxyFallbackForwardsEveryProducerMethod() throws Exception {
        LatencyRecorder recorder = LatencyRecorder.create();
        assertForwardsEverything(Producer.class, delegate -> (Producer<?, ?>) Proxy.newProxyInstance(
                Producer.class.getClassLoader(), new Class<?>[] {Producer.class}, new WrappingHandlers.ProducerHandler(
                        new LatencyProducer<>((Producer<?, ?>) delegate, KafkaStamping.newProducerProbe(recorder,
                                KafkaStamping.ProducerTraits.from(Map.of())), recorder.clock(), 1L << 25))));
    }

    private static List<String> declared(Class<?> wrapper) {
        List<String> s = new ArrayList<>();
        for (Method m : wrapper.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && !m.isBridge()
                    && !m.isSynthetic() && !m.getName().equals("delegate") && !m.getName().equals("toString")) {
                s.add(Forwarding.signature(m));
            }
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static <T> T recordingStandIn(Class<T> type, List<String> calls) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            calls.add(signature(m));
            Class<?> r = m.getReturnType();
            if (r == ConsumerRecords.class) {
                return ConsumerRecords.empty();
            }
            if (m.getName().equals("hashCode")) {
                return 1;
            }
            return zeroOf(r);
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> void assertForwardsEverything(Class<T> type) throws Exception {
        LatencyRecorder recorder = LatencyRecorder.create();
        assertForwardsEverything(type, delegate -> type == Producer.class
                ? KafkaLatency.wrap((Producer<Object, Object>) delegate, Map.of(), recorder)
                : KafkaLatency.wrap((Consumer<Object, Object>) delegate, recorder));
    }

    @SuppressWarnings("unchecked")
    private static <T> void assertForwardsEverything(Class<T> type, Function<Object, Object> wrap) throws Exception {
        List<String> calls = new ArrayList<>();
        T delegate = recordingStandIn(type, calls);
        T wrapped = (T) wrap.apply(delegate);
        List<String> expected = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getName().equals("send")) {
                continue; // send is stamped, not merely forwarded; covered against a real broker
            }
            Object[] args = new Object[m.getParameterCount()];
            for (int i = 0; i < args.length; i++) {
                Class<?> p = m.getParameterTypes()[i];
                args[i] = p == java.time.Duration.class ? java.time.Duration.ZERO : zeroOf(p);
            }
            m.invoke(wrapped, args);
            expected.add(signature(m));
        }
        assertThat(expected).hasSizeGreaterThan(10);
        assertThat(calls).containsAll(expected);
    }

    private static Object zeroOf(Class<?> type) {
        if (type == boolean.class) {
            return Boolean.FALSE;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == double.class) {
            return 0.0;
        }
        return null;
    }

    private static String signature(Method m) {
        return m.getName() + java.util.Arrays.toString(m.getParameterTypes());
    }
}
