package io.latencylib.spring.boot.internal;

import io.latencylib.spring.boot.LatencyRecorders;
import org.springframework.amqp.rabbit.config.AbstractRabbitListenerContainerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Puts {@link RabbitListening}'s advice first in the advice chain of every listener container factory
 * bean (Boot's {@code rabbitListenerContainerFactory} after its configurer ran, so after a retry advice),
 * so every container the factory makes has it from its initialisation on (a container builds its advice
 * proxy once, when the registry initialises it, before it starts). The recorders are looked up when the
 * first factory is seen, not when this post-processor is made.
 */
public final class RabbitListenerFactoryAdvice implements BeanPostProcessor {
    private final ObjectProvider<LatencyRecorders> recorders;
    private volatile RabbitListening listening;

    public RabbitListenerFactoryAdvice(ObjectProvider<LatencyRecorders> recorders) {
        this.recorders = recorders;
    }

    /** @return the one {@link RabbitListening} of the application */
    public synchronized RabbitListening listening() {
        if (listening == null) {
            listening = new RabbitListening(recorders.getObject());
        }
        return listening;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof AbstractRabbitListenerContainerFactory<?> factory) {
            factory.setAdviceChain(listening().withAdvice(factory.getAdviceChain()));
        }
        return bean;
    }
}
