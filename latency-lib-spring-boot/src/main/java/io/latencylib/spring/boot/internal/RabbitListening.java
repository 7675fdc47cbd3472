package io.latencylib.spring.boot.internal;

import com.rabbitmq.client.Channel;
import io.latencylib.LatencyClock;
import io.latencylib.LatencyStamp;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spring.boot.LatencyRecorders;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessagePostProcessor;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;

/**
 * The consumer side of Spring AMQP listener containers, as a push consumer of the latency model: the
 * consumer is <em>busy</em> inside each listener invocation and <em>free</em> otherwise.
 *
 * <p>Two parts, one instance for all containers: the after-receive post-processor ({@link #receive})
 * runs once per AMQP message, before de-batching, and only notes the message for its thread; the advice
 * ({@link #advice}, first in the container's advice chain, so around retries too) turns the consumer busy
 * when the listener is entered, records the noted messages as received at that instant, and turns it free
 * when the listener returns or throws. A consumer is the container's channel (a {@code SimpleMessageListenerContainer}
 * consumer thread, a {@code DirectMessageListenerContainer} consumer whose deliveries may run on several
 * threads): each has one probe per destination, told every change of its time line. A container whose
 * advice chain lacks the advice records each message in the post-processor instead, with catch-up and
 * fetch merged ({@link #receiveMerged}).
 */
public final class RabbitListening {

    private static final String BROKER_TIMESTAMP_HEADER = "timestamp_in_ms";
    private static final Logger log = LoggerFactory.getLogger("io.latencylib.spring.boot");

    private final LatencyRecorders recorders;
    /** Messages seen by the post-processor on this thread, not yet handed to the listener. */
    private final ThreadLocal<Pending> pending = ThreadLocal.withInitial(Pending::new);
    /** One time line per consumer (its channel). */
    private final Map<Object, Line> lines = new ConcurrentHashMap<>();
    private final Advice advice = new Advice();
    private final MessagePostProcessor receive = this::note;
    private final MessagePostProcessor receiveMerged = this::receiveNow;
    private volatile boolean failureLogged;

    public RabbitListening(LatencyRecorders recorders) {
        this.recorders = recorders;
    }

    /** @return the advice to put first in a container's advice chain */
    public MethodInterceptor advice() {
        return advice;
    }

    /** @return the after-receive post-processor of a container that has {@link #advice()} */
    public MessagePostProcessor receive() {
        return receive;
    }

    /** @return the after-receive post-processor of a container without the advice: catch-up and fetch merged */
    public MessagePostProcessor receiveMerged() {
        return receiveMerged;
    }

    /** @return whether {@code chain} holds the advice */
    public boolean adviceIn(org.aopalliance.aop.Advice[] chain) {
        return chain != null && Arrays.asList(chain).contains(advice);
    }

    /**
     * @return whether the container's advice chain holds the advice (read once per container at start-up: its
     *     getter is protected); false when it cannot be read, so its messages are recorded merged
     */
    public boolean adviceIn(AbstractMessageListenerContainer container) {
        try {
            Method getter = AbstractMessageListenerContainer.class.getDeclaredMethod("getAdviceChain");
            getter.setAccessible(true);
            return adviceIn((org.aopalliance.aop.Advice[]) getter.invoke(container));
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("latency-lib cannot read the advice chain of {}: catch-up and fetch are reported merged",
                    container, e);
            return false;
        }
    }

    /** @return {@code chain} with the advice first (outermost: around retries), unchanged when it is there */
    public org.aopalliance.aop.Advice[] withAdvice(org.aopalliance.aop.Advice[] chain) {
        if (chain == null || chain.length == 0) {
            return new org.aopalliance.aop.Advice[] {advice};
        }
        if (adviceIn(chain)) {
            return chain;
        }
        org.aopalliance.aop.Advice[] out = new org.aopalliance.aop.Advice[chain.length + 1];
        out[0] = advice;
        System.arraycopy(chain, 0, out, 1, chain.length);
        return out;
    }

    private static final class Pending {
        Message[] messages = new Message[4];
        Lane[] lanes = new Lane[4];
        int size;

        void add(Message m) {
            if (size == messages.length) {
                messages = Arrays.copyOf(messages, size * 2);
                lanes = Arrays.copyOf(lanes, size * 2);
            }
            messages[size++] = m;
        }

        void clear() {
            Arrays.fill(messages, 0, size, null);
            Arrays.fill(lanes, 0, size, null);
            size = 0;
        }
    }

    /** One probe of a consumer for one destination. */
    private record Lane(LatencyClock clock, ConsumerProbe probe, int lane) {
    }

    private static final Lane UNMEASURED = new Lane(null, null, -1);

    /** One consumer's time line: its probes, one per destination, all told each change. */
    private static final class Line {
        final Map<String, Lane> byDestination = new HashMap<>();
        final List<Lane> lanes = new ArrayList<>();
    }

    private Message note(Message message) {
        pending.get().add(message);
        return message;
    }

    private Message receiveNow(Message message) {
        try {
            Line line = lineOf(Thread.currentThread());
            Lane lane = laneOf(line, message.getMessageProperties(), false);
            if (lane != UNMEASURED) {
                record(lane, message.getMessageProperties(), lane.clock().nowMicros());
            }
        } catch (RuntimeException e) {
            logOnce(e);
        }
        return message;
    }

    private final class Advice implements MethodInterceptor {
        @Override
        public Object invoke(MethodInvocation invocation) throws Throwable {
            Line line = entered(invocation.getArguments());
            try {
                return invocation.proceed();
            } finally {
                if (line != null) {
                    returned(line);
                }
            }
        }
    }

    /** The listener is entered: the noted messages are received now, and the consumer is busy from now on. */
    private Line entered(Object[] args) {
        Pending p = pending.get();
        try {
            Object channel = args.length > 0 && args[0] instanceof Channel c ? c : Thread.currentThread();
            Line line = lineOf(channel);
            Lane[] of = p.lanes;
            for (int i = 0; i < p.size; i++) {
                of[i] = laneOf(line, p.messages[i].getMessageProperties(), true);
            }
            if (line.lanes.isEmpty()) {
                return line;
            }
            long now = line.lanes.get(0).clock().nowMicros();
            for (int i = 0; i < p.size; i++) {
                if (of[i] != UNMEASURED) {
                    record(of[i], p.messages[i].getMessageProperties(), now);
                }
            }
            for (int i = 0; i < line.lanes.size(); i++) {
                line.lanes.get(i).probe().busy(now);
            }
            return line;
        } catch (RuntimeException e) {
            logOnce(e);
            return null;
        } finally {
            p.clear();
        }
    }

    /** The listener returned or threw: the consumer is free from now on. */
    private void returned(Line line) {
        try {
            if (!line.lanes.isEmpty()) {
                long now = line.lanes.get(0).clock().nowMicros();
                for (int i = 0; i < line.lanes.size(); i++) {
                    line.lanes.get(i).probe().free(now);
                }
            }
        } catch (RuntimeException e) {
            logOnce(e);
        }
    }

    private Line lineOf(Object consumer) {
        Line line = lines.get(consumer);
        if (line == null) {
            // a new consumer: forget those whose channel closed (a container's consumers are remade on recovery)
            lines.keySet().removeIf(k -> k instanceof Channel c && !c.isOpen());
            line = lines.computeIfAbsent(consumer, k -> new Line());
        }
        return line;
    }

    /**
     * @param observed whether the consumer's time line is told to the probe: a new probe then starts free (the
     *     consumer is about to be handed a message; before it was made, it counts as busy, so the first message
     *     of each consumer and destination has its wait before that counted as catch-up)
     */
    private Lane laneOf(Line line, MessageProperties props, boolean observed) {
        String destination = RabbitStampingProcessors.destination(props.getReceivedExchange(), props.getReceivedRoutingKey());
        Lane lane = line.byDestination.get(destination);
        if (lane == null) {
            lane = recorders.recorderFor(RabbitStampingProcessors.SYSTEM, destination).map(r -> {
                ConsumerProbe probe = r.newConsumerProbe(RabbitStampingProcessors.SYSTEM);
                if (observed) {
                    probe.free(r.clock().nowMicros());
                }
                return new Lane(r.clock(), probe, probe.lane("rabbitmq-queue:" + props.getConsumerQueue()));
            }).orElse(UNMEASURED);
            line.byDestination.put(destination, lane);
            if (lane != UNMEASURED) {
                line.lanes.add(lane);
            }
        }
        return lane;
    }

    private static void record(Lane lane, MessageProperties props, long receive) {
        Object stamp = props.getHeaders().get(LatencyStamp.HEADER);
        Object ts = props.getHeaders().get(BROKER_TIMESTAMP_HEADER);
        if (stamp instanceof byte[] && Boolean.TRUE.equals(props.getRedelivered())) {
            lane.probe().redelivered();
        }
        lane.probe().received(stamp instanceof byte[] b ? b : null, lane.lane(),
                ts instanceof Number n ? n.longValue() : ConsumerProbe.NO_APPEND_TIME, receive);
    }

    private void logOnce(RuntimeException e) {
        if (!failureLogged) {
            failureLogged = true;
            log.warn("latency-lib could not record a delivery; the application is not affected", e);
        }
    }
}
