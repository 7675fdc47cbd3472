package io.latencylib.spring.boot.internal;

import io.latencylib.LatencyRecorder;
import io.latencylib.pulsar.PulsarLatency;
import io.latencylib.spring.boot.LatencyRecorders;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.pulsar.client.api.Consumer;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.pulsar.core.ConsumerBuilderCustomizer;
import org.springframework.pulsar.core.PulsarConsumerFactory;

/**
 * Decorates every {@link PulsarConsumerFactory} bean (a class-based proxy, so the bean keeps its type):
 * each consumer it creates for the topics of one destination is wrapped with
 * {@link PulsarLatency#wrap(Consumer, LatencyRecorder)} for that destination's recorder, so the listener
 * container's {@code batchReceive()} loop gives the free and busy instants (catch-up and fetch apart).
 * A consumer of several destinations, or of a topic pattern (no topic named), cannot be given one
 * recorder: it gets {@link PulsarRouting.RoutingConsumerInterceptor} instead (catch-up and fetch merged).
 * A consumer is measured by one path only.
 */
public final class PulsarConsumerWrapping implements BeanPostProcessor {
    private final ObjectProvider<LatencyRecorders> recorders;

    public PulsarConsumerWrapping(ObjectProvider<LatencyRecorders> recorders) {
        this.recorders = recorders;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof PulsarConsumerFactory<?>) {
            ProxyFactory proxy = new ProxyFactory(bean);
            proxy.setProxyTargetClass(true);
            proxy.addAdvice(new Wrapping());
            return proxy.getProxy(bean.getClass().getClassLoader());
        }
        return bean;
    }

    private final class Wrapping implements MethodInterceptor {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object invoke(MethodInvocation invocation) throws Throwable {
            if (!invocation.getMethod().getName().equals("createConsumer")) {
                return invocation.proceed();
            }
            Object[] args = invocation.getArguments();
            LatencyRecorders all = recorders.getObject();
            Set<String> destinations = args[1] instanceof Collection<?> topics
                    ? topics.stream().map(t -> PulsarRouting.destination(String.valueOf(t))).collect(Collectors.toSet())
                    : Set.of();
            if (destinations.size() != 1) {
                // no single recorder: the interceptor routes each message by its topic
                ConsumerBuilderCustomizer intercept =
                        builder -> builder.intercept(new PulsarRouting.RoutingConsumerInterceptor<>(all));
                int last = args.length - 1;
                if (args[last] instanceof List<?> customizers) {
                    List<Object> more = new ArrayList<>(customizers);
                    more.add(intercept);
                    args[last] = more;
                } else if (args[last] instanceof ConsumerBuilderCustomizer given) {
                    args[last] = (ConsumerBuilderCustomizer) builder -> {
                        given.customize(builder);
                        intercept.customize(builder);
                    };
                } else {
                    args[last] = intercept;
                }
                return invocation.proceed();
            }
            Optional<LatencyRecorder> recorder = all.recorderFor(PulsarLatency.SYSTEM, destinations.iterator().next());
            Object consumer = invocation.proceed();
            return recorder.isPresent() && consumer instanceof Consumer<?> c
                    ? PulsarLatency.wrap((Consumer<Object>) c, recorder.get())
                    : consumer;
        }
    }
}
