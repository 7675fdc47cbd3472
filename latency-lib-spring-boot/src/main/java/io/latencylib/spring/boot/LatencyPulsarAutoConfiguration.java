package io.latencylib.spring.boot;

import io.latencylib.pulsar.PulsarLatency;
import io.latencylib.spring.boot.internal.PulsarRouting;
import org.apache.pulsar.client.api.interceptor.ProducerInterceptor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.pulsar.core.ConsumerBuilderCustomizer;
import org.springframework.pulsar.core.PulsarTemplate;

/**
 * Pulsar (Spring for Apache Pulsar): the {@code PulsarTemplate}'s producers get a producer interceptor
 * (Boot hands every {@code ProducerInterceptor} bean to the template) and every consumer the consumer
 * factory builds ({@code @PulsarListener} containers) a consumer interceptor, through a
 * {@code ConsumerBuilderCustomizer}; one recorder per topic. Interceptors do not see when the
 * application asks and handles, so catch-up and fetch are reported merged ({@code catch-up+fetch}).
 */
@AutoConfiguration(after = LatencyAutoConfiguration.class)
@ConditionalOnClass({PulsarLatency.class, PulsarTemplate.class})
@ConditionalOnBean(LatencyRecorders.class)
public class LatencyPulsarAutoConfiguration {

    @Bean
    public ProducerInterceptor latencyPulsarProducerInterceptor(LatencyRecorders recorders) {
        return new PulsarRouting.RoutingProducerInterceptor(recorders);
    }

    @Bean
    public ConsumerBuilderCustomizer<?> latencyPulsarConsumerBuilderCustomizer(LatencyRecorders recorders) {
        return builder -> builder.intercept(new PulsarRouting.RoutingConsumerInterceptor<>(recorders));
    }
}
