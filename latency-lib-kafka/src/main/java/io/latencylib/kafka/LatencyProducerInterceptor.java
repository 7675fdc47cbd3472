package io.latencylib.kafka;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyStamp;
import io.latencylib.kafka.internal.KafkaStamping;
import io.latencylib.spi.PacedSend;
import io.latencylib.spi.ProducerProbe;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The configuration-only path for producers whose code cannot be changed:
 * {@code interceptor.classes=io.latencylib.kafka.LatencyProducerInterceptor}, and optionally
 * {@code latency.recorder=<name>} to pick the recorder registered with {@link KafkaLatency#register}.
 *
 * <p>What it sees: the send instant (its {@code onSend} runs first thing in {@code send()}), and
 * with kafka-clients 4.x the acknowledgement of each record (KIP-512 passes the headers to
 * {@code onAcknowledgement}). What it cannot see: when {@code send()} returned, so the dispatch
 * estimate has one fact fewer; with kafka-clients 3.x, the acknowledgement at all, so produce,
 * publish and commit are merged. Prefer {@link KafkaLatency#wrap} where you can.
 */
public class LatencyProducerInterceptor implements ProducerInterceptor<Object, Object> {

    /** Property naming the recorder (default {@code default}). */
    public static final String RECORDER_CONFIG = "latency.recorder";

    private LatencyRecorder recorder;
    private ProducerProbe probe;
    private KafkaStamping.AckTracker acks;
    private boolean acksObservable;
    private long bufferMemory;

    @Override
    public void configure(Map<String, ?> configs) {
        Object name = configs.get(RECORDER_CONFIG);
        recorder = KafkaLatency.recorder(name == null ? "default" : name.toString());
        KafkaStamping.ProducerTraits traits = KafkaStamping.ProducerTraits.from(configs);
        probe = KafkaStamping.newProducerProbe(recorder, traits);
        bufferMemory = traits.bufferMemory();
        acks = new KafkaStamping.AckTracker(probe, recorder.clock(), bufferMemory);
        if (configs.get("transactional.id") != null) {
            recorder.note("LatencyProducerInterceptor on a transactional producer cannot see commitTransaction or"
                    + " abortTransaction: a read_committed consumer's wait for the commit shows in fetch instead of"
                    + " commit, and aborted messages count as lost; use KafkaLatency.wrap(producer) instead");
        }
        try {
            ProducerInterceptor.class.getMethod("onAcknowledgement", RecordMetadata.class, Exception.class, Headers.class);
            acksObservable = true;
        } catch (NoSuchMethodException oldClient) {
            acksObservable = false;
            recorder.note("LatencyProducerInterceptor on a kafka-clients without KIP-512 cannot see acknowledgements:"
                    + " produce, publish and commit are reported merged; use KafkaLatency.wrap(producer) instead");
        }
    }

    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
        long now = recorder.clock().nowMicros();
        byte[] stamp = probe.beginSend(now, PacedSend.takeIntended());
        if (!acksObservable) {
            probe.ackNotObservable(stamp);
        }
        return KafkaStamping.attach(record, stamp);
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        // without headers the record cannot be identified; kafka-clients 4.x calls the variant below
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception, Headers headers) {
        Header h = headers == null ? null : headers.lastHeader(LatencyStamp.HEADER);
        if (h != null && LatencyStamp.isValid(h.value())) {
            acks.noCallback(acks.onAck(h.value(), metadata, exception)); // the clock read once per acknowledgement
            if (exception != null) {
                // an interceptor cannot replace the exception: the explanation goes with it as a suppressed note
                KafkaStamping.noteTooLarge(exception, bufferMemory);
            }
        }
    }

    @Override
    public void close() {
        if (probe != null) {
            probe.close();
        }
    }
}
