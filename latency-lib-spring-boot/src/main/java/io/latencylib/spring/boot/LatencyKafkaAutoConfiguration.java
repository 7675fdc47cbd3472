package io.latencylib.spring.boot;

import io.latencylib.kafka.KafkaLatency;
import io.latencylib.spring.boot.internal.KafkaRouting;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

/**
 * Kafka: every producer and consumer that Spring Boot's Kafka factories make is measured, one
 * recorder per topic. {@code KafkaTemplate} sends and {@code @KafkaListener} containers need no change:
 * the container's poll loop gives the consumer's free and busy instants.
 */
@AutoConfiguration(after = LatencyAutoConfiguration.class)
@ConditionalOnClass({KafkaLatency.class, DefaultKafkaProducerFactoryCustomizer.class, DefaultKafkaProducerFactory.class})
@ConditionalOnBean(LatencyRecorders.class)
public class LatencyKafkaAutoConfiguration {

    @Bean
    public DefaultKafkaProducerFactoryCustomizer latencyKafkaProducerFactoryCustomizer(LatencyRecorders recorders) {
        return factory -> addTo(factory, recorders);
    }

    @Bean
    public DefaultKafkaConsumerFactoryCustomizer latencyKafkaConsumerFactoryCustomizer(LatencyRecorders recorders) {
        return factory -> addTo(factory, recorders);
    }

    private static <K, V> void addTo(DefaultKafkaProducerFactory<K, V> factory, LatencyRecorders recorders) {
        factory.addPostProcessor(producer -> KafkaRouting.producer(producer, factory.getConfigurationProperties(),
                recorders));
    }

    private static <K, V> void addTo(DefaultKafkaConsumerFactory<K, V> factory, LatencyRecorders recorders) {
        factory.addPostProcessor(consumer -> KafkaRouting.consumer(consumer, recorders));
    }
}
