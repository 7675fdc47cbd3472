package io.latencylib.load;

import io.latencylib.LatencyRecorder;

/**
 * What a {@link LoadRun} needs from a messaging system: senders and consumers wrapped with the run's
 * recorder. One implementation per broker adapter (Kafka: {@code KafkaLoadDriver}); the pacing code
 * knows nothing of brokers.
 */
public interface LoadDriver extends AutoCloseable {

    /** @return the messaging system, e.g. {@code kafka} */
    String system();

    /**
     * Prepares the destination and the clients, all wrapped with {@code recorder}; consumers start
     * polling on threads of the driver's own. Returns when the consumers are ready to receive (for
     * instance when their partitions are assigned), so that the first message does not wait for them.
     *
     * @param destination topic, queue or exchange the run sends to
     * @param producers   how many producers (one sending thread each)
     * @param consumers   how many consumers
     */
    void open(String destination, int producers, int consumers, LatencyRecorder recorder);

    /** @return the sender of producer {@code index}; it is called from one thread only */
    Sender sender(int index);

    /** Returns when everything sent so far was handed to the broker (for instance a producer flush). */
    void flush();

    /** Stops consumers and closes every client the driver made. */
    @Override
    void close();

    /** Sends one message of a paced run. */
    @FunctionalInterface
    interface Sender {
        /**
         * Sends a message asynchronously. The implementation passes {@code intendedMicros} to the
         * stamping wrapper ({@link io.latencylib.spi.PacedSend#intend(long)}) right before the send.
         *
         * @param key            the key, or null
         * @param payload        the payload; the same array is handed out again for later messages, and its
         *                       content never changes (a run's payloads are made before it starts), so a driver
         *                       may give it to an asynchronous send without a copy; a driver must not write to it
         * @param intendedMicros when the schedule wanted this send to start, epoch microseconds
         */
        void send(byte[] key, byte[] payload, long intendedMicros);
    }
}
