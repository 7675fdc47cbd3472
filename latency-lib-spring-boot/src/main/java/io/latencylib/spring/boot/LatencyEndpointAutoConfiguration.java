package io.latencylib.spring.boot;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code latency} Actuator endpoint ({@link LatencyEndpoint}), where Actuator is present; exposed
 * over HTTP like any endpoint ({@code management.endpoints.web.exposure.include=latency}).
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
}
