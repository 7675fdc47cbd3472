package io.latencylib.spring.boot;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code latency} Actuator endpoint ({@link LatencyEndpoint}), where Actuator is present; exposed
 * over HTTP like any endpoint ({@code management.endpoints.web.exposure.include=latency}). With
 * {@code latency.slos}, the {@code latency} health indicator ({@link LatencySloHealthIndicator}).
 */
@AutoConfiguration(after = LatencyAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(LatencyRecorders.class)
public class LatencyEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    public LatencyEndpoint latencyEndpoint(LatencyRecorders recorders) {
        return new LatencyEndpoint(recorders);
    }

    /** Health {@code latency}, when latency.slos names objectives and Spring Boot's health support is present. */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "latencyHealthIndicator")
        @ConditionalOnBean(LatencyRecorders.class)
        @org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator("latency")
        @org.springframework.boot.autoconfigure.condition.ConditionalOnExpression("!'${latency.slos:}'.isEmpty()")
        public LatencySloHealthIndicator latencyHealthIndicator(LatencyRecorders recorders) {
            return new LatencySloHealthIndicator(recorders);
        }
    }
}
