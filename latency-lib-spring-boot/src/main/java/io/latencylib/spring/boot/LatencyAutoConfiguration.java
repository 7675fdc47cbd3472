package io.latencylib.spring.boot;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The recorders of every destination ({@link LatencyRecorders}, a {@code MeterBinder}). On when this module is on the classpath; {@code latency.enabled=false}
 * turns everything off.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "latency", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(LatencyProperties.class)
public class LatencyAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public LatencyRecorders latencyRecorders(LatencyProperties properties) {
        return new LatencyRecorders(properties);
    }
}
