package io.latencylib.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import io.latencylib.spi.ConsumerProbe;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Putting the stamp into AMQP properties and reading it back from deliveries. Never throws into the application. */
public final class RabbitStamping {

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.rabbitmq");
    /** Header some RabbitMQ versions/plugins set on arrival: the broker's receive time, epoch milliseconds. */
    public static final String BROKER_TIMESTAMP_HEADER = "timestamp_in_ms";

    private RabbitStamping() {
    }

    /**
     * @return new properties equal to {@code props} with the stamp added to a copy of its headers; the
     *     application's properties object and header map are not changed
     */
    public static AMQP.BasicProperties withStamp(AMQP.BasicProperties props, byte[] stamp) {
        AMQP.BasicProperties base = props == null ? new AMQP.BasicProperties() : props;
        Map<String, Object> headers = base.getHeaders() == null ? new HashMap<>(2) : new HashMap<>(base.getHeaders());
        headers.put(LatencyStamp.HEADER, stamp);
        return base.builder().headers(headers).build();
    }

    /** @return the stamp header of {@code props}, or null when there is none */
    public static byte[] stampOf(AMQP.BasicProperties props) {
        Map<String, Object> headers = props == null ? null : props.getHeaders();
        Object value = headers == null ? null : headers.get(LatencyStamp.HEADER);
        return value instanceof byte[] b ? b : null;
    }

    /**
     * Observes the deliveries of one queue to one consumer's time line ({@link ConsumerProbe}), on the
     * thread that hands them to the application: the channel's dispatch thread for pushed deliveries,
     * the caller's for {@code basicGet}. Never throws into the application.
     */
    public static final class DeliveryObserver {
        private final LatencyRecorder recorder;
        private final LatencyClock clock;
        private final ConsumerProbe probe;
        private final String queue;
        private final int lane;
        private boolean timestampNoteGiven;
        private boolean failureLogged;

        public DeliveryObserver(LatencyRecorder recorder, ConsumerProbe probe, String queue) {
            this.recorder = recorder;
            this.clock = recorder.clock();
            this.probe = probe;
            this.queue = queue;
            this.lane = probe.lane("rabbitmq-queue:" + queue);
        }

        /** A delivery handler is entered: the message reaches the application, which is busy from now on. */
        public void handlerEntered(Envelope envelope, AMQP.BasicProperties props) {
            long now = clock.nowMicros();
            received(envelope, props, now);
            busy(now);
        }

        /** A delivery handler returned (normally or not): the consumer is free for the next delivery. */
        public void handlerReturned() {
            free(clock.nowMicros());
        }

        /** The application asks for messages from {@code now} on. */
        public void free(long now) {
            try {
                probe.free(now);
            } catch (RuntimeException e) {
                logOnce(e);
            }
        }

        /** The application handles messages from {@code now} on. */
        public void busy(long now) {
            try {
                probe.busy(now);
            } catch (RuntimeException e) {
                logOnce(e);
            }
        }

        /** Records one delivery that reached the application at {@code receive}. */
        public void received(Envelope envelope, AMQP.BasicProperties props, long receive) {
            try {
                byte[] stamp = stampOf(props);
                Map<String, Object> headers = props == null ? null : props.getHeaders();
                long append = ConsumerProbe.NO_APPEND_TIME;
                Object ts = headers == null ? null : headers.get(BROKER_TIMESTAMP_HEADER);
                if (ts instanceof Number n) {
                    append = n.longValue();
                } else if (stamp != null && !timestampNoteGiven) {
                    timestampNoteGiven = true;
                    recorder.note("RabbitMQ set no broker timestamp (" + BROKER_TIMESTAMP_HEADER + ") on messages of"
                            + " queue '" + queue + "': publish and commit are reported merged; RabbitMQ 3.12+ adds it"
                            + " with message_interceptors.incoming.set_header_timestamp in rabbitmq.conf");
                }
                if (stamp != null && envelope != null && envelope.isRedeliver()) {
                    probe.redelivered();
                }
                probe.received(stamp, lane, append, receive);
            } catch (RuntimeException e) {
                logOnce(e);
            }
        }

        private void logOnce(RuntimeException e) {
            if (!failureLogged) {
                failureLogged = true;
                log.warn("latency-lib could not record a delivery; the application is not affected", e);
            }
        }
    }
}
