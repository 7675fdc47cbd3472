package io.latencylib.samples.service;

import java.util.Objects;

/**
 * An order placed by a customer, as the sample service publishes it.
 *
 * @param id          the order's id
 * @param customer    who placed it; the event's key, so one customer's orders stay in order
 * @param amountCents the amount, in cents
 */
public record Order(String id, String customer, long amountCents) {

    public Order {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(customer, "customer");
        if (id.contains("|") || customer.contains("|")) {
            throw new IllegalArgumentException("'|' separates the fields of an order event");
        }
    }

    /** @return the event's value: {@code id|customer|amountCents} */
    public String toEvent() {
        return id + "|" + customer + "|" + amountCents;
    }

    /** @return the order an event's value describes */
    public static Order fromEvent(String value) {
        String[] f = value.split("\\|", -1);
        if (f.length != 3) {
            throw new IllegalArgumentException("not an order event: " + value);
        }
        return new Order(f[0], f[1], Long.parseLong(f[2]));
    }
}
