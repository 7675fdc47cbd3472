package io.latencylib.slo;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one objective: passed or not, the measured value, and for a violation the message
 * that says where the time went and the stage at fault.
 *
 * @param slo          the objective
 * @param passed       whether it held
 * @param measured     the measured value (nanoseconds for latency, messages per second, a count, or percent), NaN if none
 * @param message      null when passed; otherwise the violation explained
 * @param stageAtFault for a violated latency objective: the name of the stage that took the most time at
 *                     the objective's percentile (for an objective on one stage, that stage); merged
 *                     stages are named as the report names them, e.g. {@code publish+commit}. Empty when
 *                     the objective passed, is not on latency, or nothing was measured. The
 *                     {@link #message()} names the same stage.
 */
public record Verdict(Slo slo, boolean passed, double measured, String message, Optional<String> stageAtFault) {

    public Verdict {
        Objects.requireNonNull(slo, "slo");
        Objects.requireNonNull(stageAtFault, "stageAtFault");
        if (passed && (message != null || stageAtFault.isPresent())) {
            throw new IllegalArgumentException("a passed verdict has neither a message nor a stage at fault: " + slo);
        }
        if (!passed && message == null) {
            throw new IllegalArgumentException("a failed verdict needs a message saying why: " + slo);
        }
    }

    /** @return the measured value in the objective's unit, e.g. {@code 72.3 ms}, or {@code nothing} */
    public String measuredText() {
        return slo.format(measured);
    }

    @Override
    public String toString() {
        return (passed ? "PASS " : "FAIL ") + slo + " (measured " + measuredText()
                + stageAtFault.map(s -> ", stage at fault " + s).orElse("") + ")";
    }
}
