package io.latencylib.spring.boot;

import io.latencylib.rabbitmq.RabbitLatency;
import io.latencylib.spring.boot.internal.RabbitListenerFactoryAdvice;
import io.latencylib.spring.boot.internal.RabbitListening;
import io.latencylib.spring.boot.internal.RabbitStampingProcessors;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.MessageListenerContainer;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.amqp.autoconfigure.RabbitTemplateCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;

/**
 * RabbitMQ (Spring AMQP): the {@code RabbitTemplate} stamps each message before it is published and
 * follows its publisher confirm (correlated confirms, a {@code CorrelationData} given to the send);
 * every {@code @RabbitListener} container of a listener container factory bean observes its consumers as
 * push consumers: busy inside each listener invocation (an advice first in the container's advice chain),
 * free otherwise, each message received when the listener is entered; so catch-up and fetch are split.
 * One recorder per destination: the routing key on the default exchange (the queue), else the exchange.
 */
@AutoConfiguration(after = LatencyAutoConfiguration.class)
@ConditionalOnClass({RabbitLatency.class, RabbitTemplate.class, RabbitTemplateCustomizer.class})
@ConditionalOnBean(LatencyRecorders.class)
public class LatencyRabbitAutoConfiguration {

    @Bean
    public RabbitTemplateCustomizer latencyRabbitTemplateCustomizer(LatencyRecorders recorders) {
        return template -> template.addBeforePublishPostProcessors(new RabbitStampingProcessors.Publish(recorders,
                template.getConnectionFactory().isPublisherConfirms()));
    }

    /** Puts the listening advice first in every listener container factory's advice chain. */
    @Bean
    public static RabbitListenerFactoryAdvice latencyRabbitListenerFactoryAdvice(
            ObjectProvider<LatencyRecorders> recorders) {
        return new RabbitListenerFactoryAdvice(recorders);
    }

    /**
     * Adds the after-receive post-processor to every listener container before the containers start: it
     * notes each message for the advice, or, in a container without the advice, records it merged.
     */
    @Bean
    public SmartLifecycle latencyRabbitListenerContainers(RabbitListenerFactoryAdvice advice,
                                                          ObjectProvider<RabbitListenerEndpointRegistry> registries) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                RabbitListening listening = advice.listening();
                registries.orderedStream().forEach(registry -> {
                    for (MessageListenerContainer c : registry.getListenerContainers()) {
                        if (c instanceof AbstractMessageListenerContainer container) {
                            container.addAfterReceivePostProcessors(listening.adviceIn(container)
                                    ? listening.receive() : listening.receiveMerged());
                        }
                    }
                });
                running = true;
            }

            @Override
            public void stop() {
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                // before the registry starts its containers
                return registries.orderedStream().mapToInt(RabbitListenerEndpointRegistry::getPhase).min()
                        .orElse(Integer.MAX_VALUE) - 1;
            }
        };
    }
}
