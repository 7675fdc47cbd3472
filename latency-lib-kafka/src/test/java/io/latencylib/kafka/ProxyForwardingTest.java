package io.latencylib.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.latencylib.LatencyRecorder;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;

/**
 * The wrappers serve every method of the Producer and Consumer interfaces that the running
 * kafka-clients has — including methods added after this library was compiled — by forwarding
 * it to the wrapped client. A hand-written {@code implements Consumer} compiled against an older
 * client would throw AbstractMethodError for those. The delegate here is a recording stand-in
 * (no broker is involved: this checks forwarding, not Kafka).
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

    @SuppressWarnings("unchecked")
    private static <T> void assertForwardsEverything(Class<T> type) throws Exception {
        List<String> calls = new ArrayList<>();
        T delegate = (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
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
        LatencyRecorder recorder = LatencyRecorder.create();
        T wrapped = type == Producer.class ? (T) KafkaLatency.wrap((Producer<Object, Object>) delegate, Map.of(), recorder)
                : (T) KafkaLatency.wrap((Consumer<Object, Object>) delegate, recorder);
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
