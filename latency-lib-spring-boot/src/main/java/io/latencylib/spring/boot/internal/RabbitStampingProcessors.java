package io.latencylib.spring.boot.internal;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyStamp;
import io.latencylib.spi.PacedSend;
import io.latencylib.spi.ProducerProbe;
import io.latencylib.spring.boot.LatencyRecorders;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Correlation;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessagePostProcessor;
import org.springframework.amqp.rabbit.connection.CorrelationData;

/**
 * RabbitMQ through Spring AMQP, on the core's probes: the stamp is added by a {@code RabbitTemplate}
 * before-publish post-processor, the publisher confirm is read from the message's {@link CorrelationData}
 * future; listener containers are observed by {@link RabbitListening}. The stamp is
 * latency-lib-rabbitmq's (header {@link LatencyStamp#HEADER}, the raw 34 bytes), so Spring and wrapped
 * channels interoperate. A destination is the routing key on the default exchange (the queue), else the
 * exchange.
 */
public final class RabbitStampingProcessors {

    /** The messaging system tag. */
    public static final String SYSTEM = "rabbitmq";
    private static final Logger log = LoggerFactory.getLogger("io.latencylib.spring.boot");

    private RabbitStampingProcessors() {
    }

    static String destination(String exchange, String routingKey) {
        return exchange == null || exchange.isEmpty() ? (routingKey == null ? "" : routingKey) : exchange;
    }

    /** Before publish (one per template): stamps, and follows the confirm of a correlated message. */
    public static final class Publish implements MessagePostProcessor {
        private final LatencyRecorders recorders;
        private final boolean confirms;
        private final Map<String, Optional<Target>> probes = new ConcurrentHashMap<>();

        private record Target(LatencyClock clock, ProducerProbe probe) {
        }

        /** @param confirms whether the template's connection factory has correlated publisher confirms */
        public Publish(LatencyRecorders recorders, boolean confirms) {
            this.recorders = recorders;
            this.confirms = confirms;
        }

        @Override
        public Message postProcessMessage(Message message) {
            return message; // the template calls the variant that names the exchange and routing key
        }

        @Override
        public Message postProcessMessage(Message message, Correlation correlation, String exchange, String routingKey) {
            String destination = destination(exchange, routingKey);
            Optional<Target> target = probes.get(destination);
            if (target == null) {
                target = probes.computeIfAbsent(destination, d -> recorders.recorderFor(SYSTEM, d).map(r -> new Target(
                        r.clock(), r.newProducerProbe(SYSTEM, true, Duration.ZERO, Integer.MAX_VALUE, 1))));
            }
            if (target.isEmpty()) {
                return message;
            }
            ProducerProbe p = target.get().probe();
            LatencyClock clock = target.get().clock();
            try {
                byte[] stamp = p.beginSend(clock.nowMicros(), PacedSend.takeIntended());
                message.getMessageProperties().setHeader(LatencyStamp.HEADER, stamp);
                if (confirms && correlation instanceof CorrelationData data) {
                    data.getFuture().whenComplete((confirm, failure) -> {
                        if (confirm != null && confirm.ack()) {
                            p.acked(stamp, clock.nowMicros(), ProducerProbe.ESTIMATE, 0, ProducerProbe.NEW_REQUEST, 0);
                        } else {
                            p.failed(stamp);
                        }
                    });
                } else {
                    p.ackNotObservable(stamp); // no correlated confirm: joined on the consumer half alone
                }
            } catch (RuntimeException e) {
                log.warn("latency-lib could not stamp a message to {}; the application is not affected", destination, e);
            }
            return message;
        }
    }
}
