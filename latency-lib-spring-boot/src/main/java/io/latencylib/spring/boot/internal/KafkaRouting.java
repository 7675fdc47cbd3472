package io.latencylib.spring.boot.internal;

import io.latencylib.LatencyRecorder;
import io.latencylib.kafka.KafkaLatency;
import io.latencylib.spi.Delegation;
import io.latencylib.spring.boot.LatencyRecorders;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One recorder per topic for clients that Spring's factories make, built only from
 * {@link KafkaLatency#wrap}: a producer sends each record through a wrapper of the same client made
 * for the record's topic; a consumer's {@code poll} runs through a chain of wrappers, one per topic,
 * each of which sees its topic's records and marks its consumer free for the whole {@code poll}.
 */
public final class KafkaRouting {

    /** The messaging system tag. */
    public static final String SYSTEM = "kafka";

    private KafkaRouting() {
    }

    /** A producer whose sends are measured per topic. */
    @SuppressWarnings("unchecked")
    public static <K, V> Producer<K, V> producer(Producer<K, V> raw, Map<String, ?> config, LatencyRecorders recorders) {
        return (Producer<K, V>) Proxy.newProxyInstance(Producer.class.getClassLoader(), new Class<?>[] {Producer.class},
                new RoutingProducer(raw, config, recorders));
    }

    /** A consumer whose polls are measured per topic. */
    @SuppressWarnings("unchecked")
    public static <K, V> Consumer<K, V> consumer(Consumer<K, V> raw, LatencyRecorders recorders) {
        return (Consumer<K, V>) Proxy.newProxyInstance(Consumer.class.getClassLoader(), new Class<?>[] {Consumer.class},
                new RoutingConsumer(raw, recorders));
    }

    /**
     * The producer side. Each topic's wrapper wraps a facade of the one client whose transaction calls and
     * close do nothing: the routing producer makes them once on the client, then tells every wrapper.
     */
    static final class RoutingProducer implements InvocationHandler {
        private static final Producer<?, ?> UNMEASURED = facadeOf(null);

        private final Producer<?, ?> raw;
        private final Producer<?, ?> facade;
        private final Map<String, ?> config;
        private final LatencyRecorders recorders;
        private final Map<String, Producer<?, ?>> byTopic = new ConcurrentHashMap<>();
        private volatile boolean inTransaction;

        RoutingProducer(Producer<?, ?> raw, Map<String, ?> config, LatencyRecorders recorders) {
            this.raw = raw;
            this.facade = facadeOf(raw);
            this.config = config;
            this.recorders = recorders;
        }

        private static Producer<?, ?> facadeOf(Producer<?, ?> raw) {
            return (Producer<?, ?>) Proxy.newProxyInstance(Producer.class.getClassLoader(),
                    new Class<?>[] {Producer.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "beginTransaction", "commitTransaction", "abortTransaction", "close" ->
                                args == null || method.getName().equals("close") ? null
                                        : Delegation.forward(raw, method, args);
                        default -> {
                            Object own = Delegation.objectMethod(proxy, raw, "LatencyProducerFacade", method, args);
                            yield own != null ? own : Delegation.forward(raw, method, args);
                        }
                    });
        }

        private Producer<?, ?> wrapperOf(String topic) {
            Producer<?, ?> w = byTopic.get(topic);
            if (w == null) {
                synchronized (this) {
                    w = byTopic.get(topic);
                    if (w == null) {
                        Optional<LatencyRecorder> recorder = recorders.recorderFor(SYSTEM, topic);
                        w = recorder.isPresent() ? KafkaLatency.wrap(facade, config, recorder.get()) : UNMEASURED;
                        if (w != UNMEASURED && inTransaction) {
                            w.beginTransaction(); // the facade does nothing; the wrapper's messages join the transaction
                        }
                        byTopic.put(topic, w);
                    }
                }
            }
            return w == UNMEASURED ? raw : w;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("send") && args != null && args[0] instanceof ProducerRecord<?, ?> record
                    && (args.length == 1 || (args.length == 2 && (args[1] == null || args[1] instanceof Callback)))) {
                Producer p = wrapperOf(record.topic());
                if (p == raw) {
                    return Delegation.forward(raw, method, args);
                }
                // the topic's wrapper serves the same call, called directly (it is a plain class, or a proxy for a
                // newer client): nothing more allocated, and its exceptions are the client's
                return args.length == 1 ? p.send(record) : p.send(record, (Callback) args[1]);
            }
            if (args == null && (name.equals("beginTransaction") || name.equals("commitTransaction")
                    || name.equals("abortTransaction"))) {
                synchronized (this) {
                    Object result = Delegation.forward(raw, method, args);
                    inTransaction = name.equals("beginTransaction");
                    for (Producer<?, ?> w : byTopic.values()) {
                        if (w != UNMEASURED) {
                            Delegation.forward(w, method, args); // the facade does nothing; the wrapper records
                        }
                    }
                    return result;
                }
            }
            if (name.equals("close") && method.getDeclaringClass() != Object.class) {
                try {
                    return Delegation.forward(raw, method, args);
                } finally {
                    for (Producer<?, ?> w : byTopic.values()) {
                        if (w != UNMEASURED) {
                            w.close(); // the facade does nothing; the wrapper releases its join table
                        }
                    }
                }
            }
            Object own = Delegation.objectMethod(proxy, raw, "LatencyRoutingProducer", method, args);
            return own != null ? own : Delegation.forward(raw, method, args);
        }
    }

    /**
     * The consumer side. A consumer is used by one thread at a time (Kafka's rule), so its state needs no
     * locks. {@code poll} goes through the wrappers of the topics known before it (subscription and
     * assignment), nested: the innermost calls the client, each wrapper sees only its topic's records.
     */
    static final class RoutingConsumer implements InvocationHandler {
        private final Consumer<?, ?> raw;
        private final LatencyRecorders recorders;
        /** Topic → its lane, or null when the topic is not measured. */
        private final Map<String, Lane> lanes = new HashMap<>();
        private Lane[] chain = new Lane[0];
        private ConsumerRecords<?, ?> polled;

        RoutingConsumer(Consumer<?, ?> raw, LatencyRecorders recorders) {
            this.raw = raw;
            this.recorders = recorders;
        }

        /** One topic: a wrapper whose delegate, on poll, runs the rest of the chain and hands it this topic's records. */
        private final class Lane implements InvocationHandler {
            final String topic;
            final Consumer<?, ?> wrapped;
            int index;
            ConsumerRecords<?, ?> oneShot;

            Lane(String topic, LatencyRecorder recorder) {
                this.topic = topic;
                Consumer<?, ?> slot = (Consumer<?, ?>) Proxy.newProxyInstance(Consumer.class.getClassLoader(),
                        new Class<?>[] {Consumer.class}, this);
                this.wrapped = KafkaLatency.wrap(slot, recorder);
            }

            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                if (method.getName().equals("poll") && args != null && args.length == 1) {
                    if (oneShot != null) {
                        return only(oneShot, topic);
                    }
                    pollFrom(index + 1, args[0]); // returns the next lane's records only
                    return only(polled, topic);   // all of them: what the client's poll returned
                }
                Object own = Delegation.objectMethod(proxy, raw, "LatencyConsumerLane", method, args);
                if (own != null) {
                    return own;
                }
                throw new UnsupportedOperationException(method.getName()); // the wrapper is only polled
            }
        }

        private ConsumerRecords<?, ?> pollFrom(int index, Object timeout) throws Throwable {
            if (index < chain.length) {
                return (ConsumerRecords<?, ?>) chain[index].wrapped.poll((Duration) timeout);
            }
            polled = raw.poll((Duration) timeout);
            return polled;
        }

        private void ensureLanes(Set<String> topics) {
            boolean changed = false;
            for (String topic : topics) {
                if (!lanes.containsKey(topic)) {
                    Lane lane = recorders.recorderFor(SYSTEM, topic).map(r -> new Lane(topic, r)).orElse(null);
                    lanes.put(topic, lane);
                    changed |= lane != null;
                }
            }
            if (changed) {
                List<Lane> all = new ArrayList<>();
                for (Lane l : lanes.values()) {
                    if (l != null) {
                        l.index = all.size();
                        all.add(l);
                    }
                }
                chain = all.toArray(Lane[]::new);
            }
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("poll") && args != null && args.length == 1 && args[0] instanceof Duration) {
                ensureLanes(raw.subscription());
                Set<TopicPartition> assignment = raw.assignment();
                if (!assignment.isEmpty()) {
                    Set<String> topics = new HashSet<>();
                    for (TopicPartition tp : assignment) {
                        topics.add(tp.topic());
                    }
                    ensureLanes(topics);
                }
                polled = null;
                try {
                    pollFrom(0, args[0]);
                    ConsumerRecords<?, ?> result = polled;
                    if (!result.isEmpty()) {
                        observeNewTopics(result);
                    }
                    return result;
                } finally {
                    polled = null;
                }
            }
            Object own = Delegation.objectMethod(proxy, raw, "LatencyRoutingConsumer", method, args);
            return own != null ? own : Delegation.forward(raw, method, args);
        }

        /** Records of a topic assigned during this poll: its new wrapper sees them at once (busy until now). */
        private void observeNewTopics(ConsumerRecords<?, ?> records) {
            for (TopicPartition tp : records.partitions()) {
                if (!lanes.containsKey(tp.topic())) {
                    ensureLanes(Set.of(tp.topic()));
                    Lane lane = lanes.get(tp.topic());
                    if (lane != null) {
                        lane.oneShot = records;
                        try {
                            lane.wrapped.poll(Duration.ZERO);
                        } finally {
                            lane.oneShot = null;
                        }
                    }
                }
            }
        }

        /** This topic's records, the same object when they are all of them. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        static ConsumerRecords<?, ?> only(ConsumerRecords<?, ?> all, String topic) {
            Set<TopicPartition> partitions = all.partitions();
            boolean others = false;
            boolean mine = false;
            for (TopicPartition tp : partitions) {
                if (tp.topic().equals(topic)) {
                    mine = true;
                } else {
                    others = true;
                }
            }
            if (!others) {
                return all;
            }
            if (!mine) {
                return ConsumerRecords.empty();
            }
            Map<TopicPartition, List<ConsumerRecord>> records = new LinkedHashMap<>();
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
            for (TopicPartition tp : partitions) {
                if (tp.topic().equals(topic)) {
                    records.put(tp, (List) all.records(tp));
                    OffsetAndMetadata o = all.nextOffsets().get(tp);
                    if (o != null) {
                        next.put(tp, o);
                    }
                }
            }
            return new ConsumerRecords(records, next);
        }
    }
}
