package io.latencylib.samples.service;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The other side of the sample: a consumer loop on a thread of its own that hands every order event
 * to a handler, as a downstream service would. It owns its consumer and closes it when stopped.
 */
public final class OrderListener implements AutoCloseable {

    private final org.apache.kafka.clients.consumer.Consumer<String, String> consumer;
    private final Consumer<Order> handler;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong handled = new AtomicLong();
    private final Thread thread;
    private volatile RuntimeException failure;

    /** @param consumer subscribed or assigned already; used only by the listener's thread from now on */
    public OrderListener(org.apache.kafka.clients.consumer.Consumer<String, String> consumer, Consumer<Order> handler) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.thread = new Thread(this::run, "order-listener");
        this.thread.setDaemon(true);
    }

    /** Starts polling. @return this */
    public OrderListener start() {
        thread.start();
        return this;
    }

    /** @return how many orders the handler was given */
    public long handled() {
        return handled.get();
    }

    private void run() {
        try (consumer) {
            while (running.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    handler.accept(Order.fromEvent(r.value()));
                    handled.incrementAndGet();
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** Stops the loop, waits for it, and rethrows what made it fail, if anything. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        thread.join(Duration.ofSeconds(30).toMillis());
        if (failure != null) {
            throw failure;
        }
    }
}
