package io.latencylib.slo;

/**
 * The outcome of one objective: passed or not, the measured value, and for a violation the message
 * that says where the time went.
 *
 * @param slo      the objective
 * @param passed   whether it held
 * @param measured the measured value (nanoseconds for latency, messages per second, a count, or percent), NaN if none
 * @param message  null when passed; otherwise the violation explained
 */
public record Verdict(Slo slo, boolean passed, double measured, String message) {

    /** @return the measured value in the objective's unit, e.g. {@code 72.300 ms} */
    public String measuredText() {
        return slo.format(measured);
    }

    @Override
    public String toString() {
        return (passed ? "PASS " : "FAIL ") + slo + " (measured " + measuredText() + ")";
    }
}
