package io.latencylib.spring.boot;

import io.latencylib.rabbitmq.RabbitLatency;
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
 * every {@code @RabbitListener} container records each message it receives. One recorder per
 * destination: the routing key on the default exchange (the queue), else the exchange. The containers'
 * calls are not seen, so catch-up and fetch are reported merged ({@code catch-up+fetch}).
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

    /** Adds the after-receive post-processor to every listener container before the containers start. */
    @Bean
    public SmartLifecycle latencyRabbitListenerContainers(LatencyRecorders recorders,
                                                          ObjectProvider<RabbitListenerEndpointRegistry> registries) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                RabbitStampingProcessors.Receive receive = new RabbitStampingProcessors.Receive(recorders);
                registries.orderedStream().forEach(registry -> {
                    for (MessageListenerContainer c : registry.getListenerContainers()) {
                        if (c instanceof AbstractMessageListenerContainer container) {
                            container.addAfterReceivePostProcessors(receive);
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
