package io.latencylib.internal;

import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;

/**
 * Lets the recorder make the adapters' probes without the probes offering a public constructor that
 * takes internal types: each probe class registers its factory here when it is initialised (and only it
 * may; see {@link ReportAccess} for reports read back). Holds no public field.
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

    private static volatile ConsumerFactory consumers;
    private static volatile ProducerFactory producers;

    private ProbeAccess() {
    }

    /** Called once, by {@link ConsumerProbe} when it is initialised. */
    public static void register(ConsumerFactory factory) {
        requireCaller(WALKER.getCallerClass(), ConsumerProbe.class);
        consumers = factory;
    }

    /** Called once, by {@link ProducerProbe} when it is initialised. */
    public static void register(ProducerFactory factory) {
        requireCaller(WALKER.getCallerClass(), ProducerProbe.class);
        producers = factory;
    }

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private static void requireCaller(Class<?> caller, Class<?> expected) {
        if (caller != expected) {
            throw new IllegalStateException("only " + expected.getSimpleName() + " registers its factory");
        }
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
