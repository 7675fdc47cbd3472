package io.latencylib.internal;

import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;

/**
 * Lets the recorder make the adapters' probes without the probes offering a public constructor that
 * takes internal types: each probe class registers its factory here when it is initialised.
 */
public final class ProbeAccess {

    /** A factory of consumer probes: (engine, created instant). */
    public interface ConsumerFactory {
        ConsumerProbe create(JoinEngine engine, long createdMicros);
    }

    /** A factory of producer probes: (engine, ledger). */
    public interface ProducerFactory {
        ProducerProbe create(JoinEngine engine, Ledger ledger);
    }

    public static volatile ConsumerFactory consumers;
    public static volatile ProducerFactory producers;

    private ProbeAccess() {
    }

    public static ConsumerProbe newConsumer(JoinEngine engine, long createdMicros) {
        initialise(ConsumerProbe.class);
        return consumers.create(engine, createdMicros);
    }

    public static ProducerProbe newProducer(JoinEngine engine, Ledger ledger) {
        initialise(ProducerProbe.class);
        return producers.create(engine, ledger);
    }

    private static void initialise(Class<?> type) {
        try {
            Class.forName(type.getName(), true, type.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
