package io.latencylib.pulsar;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import io.latencylib.pulsar.internal.PulsarStamping;
import io.latencylib.pulsar.internal.PulsarStamping.ProducerTraits;
import io.latencylib.spi.PacedSend;
import io.latencylib.spi.ProducerProbe;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.interceptor.ProducerInterceptor;
import org.apache.pulsar.client.impl.MessageImpl;
import org.apache.pulsar.common.api.proto.KeyValue;
import org.apache.pulsar.common.api.proto.MessageMetadata;

/**
 * The builder-time path for producers whose send calls cannot be wrapped:
 * {@code client.newProducer(schema).topic(t).intercept(new LatencyProducerInterceptor(recorder)).create()}.
 * Its {@link #eligible} is true for every message (Pulsar skips interceptors that answer false).
 *
 * <p>What it sees: the send instant ({@code beforeSend} runs first thing in {@code sendAsync}, on the
 * caller's thread, before back-pressure and batching), and the acknowledgement of each message
 * ({@code onSendAcknowledgement}, called just before the send future completes). What it cannot
 * see: when {@code sendAsync} returned, and whether a synchronous {@code send()} flushed the batch at
 * once, so the dispatch estimate has those facts fewer and takes every batch as waiting for the
 * batching delay or filling up. On a partitioned topic each partition's producer gets a producer id
 * of its own. The stamp is added to the message's metadata directly (the interceptor API has no
 * setter), which ties this class to the pulsar-client 4.0 {@code MessageImpl}; if that fails it
 * leaves the message unstamped and notes it. Prefer {@link PulsarLatency#wrap(Producer, LatencyRecorder)}.
 */
public class LatencyProducerInterceptor implements ProducerInterceptor {

    private final LatencyRecorder recorder;
    private final Map<Producer<?>, PulsarStamping.AckTracker> trackers = Collections.synchronizedMap(new WeakHashMap<>());

    /** Records into the recorder registered as {@code default} ({@link PulsarLatency#register}). */
    public LatencyProducerInterceptor() {
        this(PulsarLatency.recorder("default"));
    }

    public LatencyProducerInterceptor(LatencyRecorder recorder) {
        this.recorder = Objects.requireNonNull(recorder, "recorder");
    }

    @Override
    public boolean eligible(@SuppressWarnings("rawtypes") Message message) {
        return true;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Message beforeSend(Producer producer, Message message) {
        long now = recorder.clock().nowMicros();
        PulsarStamping.AckTracker tracker = tracker(producer);
        if (!(message instanceof MessageImpl<?> impl)) {
            recorder.note("LatencyProducerInterceptor got a " + message.getClass().getName() + ", not a pulsar-client"
                    + " MessageImpl: it cannot add the stamp, so these messages are not measured; use"
                    + " PulsarLatency.wrap(producer, recorder)");
            return message;
        }
        ProducerProbe probe = tracker.probe();
        byte[] stamp = probe.beginSend(now, PacedSend.takeIntended());
        try {
            impl.getMessageBuilder().addProperty().setKey(LatencyStamp.HEADER).setValue(PulsarStamping.encode(stamp));
        } catch (RuntimeException | LinkageError e) {
            probe.failed(stamp);
            recorder.note("LatencyProducerInterceptor could not add the stamp to a message (" + e + "): these messages"
                    + " are not measured; use PulsarLatency.wrap(producer, recorder)");
        }
        return message;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void onSendAcknowledgement(Producer producer, Message message, MessageId msgId, Throwable exception) {
        byte[] stamp = stampOf(message);
        if (LatencyStamp.isValid(stamp)) {
            tracker(producer).onAck(stamp, msgId, exception, message.size(), false);
        }
    }

    @Override
    public void close() {
        trackers.clear();
    }

    private PulsarStamping.AckTracker tracker(Producer<?> producer) {
        return trackers.computeIfAbsent(producer, p -> {
            ProducerTraits traits = ProducerTraits.of(p).orElse(ProducerTraits.DEFAULTS);
            return new PulsarStamping.AckTracker(PulsarStamping.newProducerProbe(recorder, traits), recorder.clock(),
                    traits);
        });
    }

    /** The stamp this interceptor added: the last property of its name in the metadata. */
    private static byte[] stampOf(Message<?> message) {
        if (message instanceof MessageImpl<?> impl) {
            MessageMetadata metadata = impl.getMessageBuilder();
            for (int i = metadata.getPropertiesCount() - 1; i >= 0; i--) {
                KeyValue kv = metadata.getPropertyAt(i);
                if (LatencyStamp.HEADER.equals(kv.getKey())) {
                    return PulsarStamping.decode(kv.getValue());
                }
            }
            return null;
        }
        return PulsarStamping.decode(message.getProperty(LatencyStamp.HEADER));
    }
}
