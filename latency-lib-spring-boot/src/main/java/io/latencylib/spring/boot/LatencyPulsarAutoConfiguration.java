package io.latencylib.spring.boot;

import io.latencylib.pulsar.PulsarLatency;
import io.latencylib.spring.boot.internal.PulsarConsumerWrapping;
import io.latencylib.spring.boot.internal.PulsarRouting;
import org.apache.pulsar.client.api.interceptor.ProducerInterceptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.pulsar.core.ConsumerBuilderCustomizer;
import org.springframework.pulsar.core.PulsarTemplate;

/**
 * Pulsar (Spring for Apache Pulsar): the {@code PulsarTemplate}'s producers get a producer interceptor
 * (Boot hands every {@code ProducerInterceptor} bean to the template); every consumer the
 * {@code PulsarConsumerFactory} bean creates ({@code @PulsarListener} containers) gets a consumer
 * interceptor through a {@code ConsumerBuilderCustomizer} (catch-up and fetch merged,
 * {@code catch-up+fetch}), or, with {@code latency.pulsar.wrap-listener-consumers=true}, is wrapped with
 * {@code PulsarLatency.wrap} for its topic's recorder, so catch-up and fetch are apart (a consumer of
 * several topics or of a pattern still gets the interceptor); one recorder per topic.
 */
@AutoConfiguration(after = LatencyAutoConfiguration.class)
@ConditionalOnClass({PulsarLatency.class, PulsarTemplate.class})
@ConditionalOnBean(LatencyRecorders.class)
public class LatencyPulsarAutoConfiguration {
    static final String WRAP = "latency.pulsar.wrap-listener-consumers";

    @Bean
    public ProducerInterceptor latencyPulsarProducerInterceptor(LatencyRecorders recorders) {
        return new PulsarRouting.RoutingProducerInterceptor(recorders);
    }

    /** Default: every consumer the factory builds gets the routing interceptor ({@code catch-up+fetch}). */
    @Bean
    @ConditionalOnProperty(name = WRAP, havingValue = "false", matchIfMissing = true)
    public ConsumerBuilderCustomizer<?> latencyPulsarConsumerBuilderCustomizer(LatencyRecorders recorders) {
        return builder -> builder.intercept(new PulsarRouting.RoutingConsumerInterceptor<>(recorders));
    }

    /** {@code latency.pulsar.wrap-listener-consumers=true}: consumers of one topic wrapped, the others intercepted. */
    @Bean
    @ConditionalOnProperty(name = WRAP, havingValue = "true")
    public static PulsarConsumerWrapping latencyPulsarConsumerWrapping(ObjectProvider<LatencyRecorders> recorders) {
        return new PulsarConsumerWrapping(recorders);
    }
}
