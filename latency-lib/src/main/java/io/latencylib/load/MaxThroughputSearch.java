package io.latencylib.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the highest rate a system sustains: the rate the senders held
 * ({@link LoadReport#medianSendRate()}, which a transient stall that is caught up does not move) stays
 * within a tolerance of the target, the backlog stops growing (consumers keep up), everything sent is received, and
 * (optionally) an SLO holds. Each probe is a {@link LoadRun} at a constant rate, long enough to judge
 * the backlog's slope. The search doubles the rate until a rate fails, then bisects (geometric
 * midpoints) until the bounds are within {@link Builder#precision(double)}.
 *
 * <p>Near the limit the same rate passes one time and fails the next (a GC pause, a neighbour's CPU),
 * so no single probe decides: each rate is probed until a majority of {@link Builder#probesPerRate(int)}
 * probes (default 3, so 2 or 3 probes) agree. One lucky pass cannot raise the answer and one noisy
 * probe cannot drag it down; the answer estimates the rate that passes more often than not. A probe
 * that falls more than 2 s behind ({@link LoadRun.Builder#abortWhenBehind}; another lag through {@link Builder#configure}) stops at once, so an overloaded
 * probe leaves no backlog to slow the probes after it. The result lists every probe made.
 */
public final class MaxThroughputSearch {

    /** How far behind a probe may fall before it stops, failed, unless {@link Builder#configure} sets another. */
    private static final Duration DEFAULT_ABORT_BEHIND = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger("io.latencylib.load");

    /** One probe: a rate, what was achieved, and the verdict. */
    public record Probe(double targetRate, double achievedRate, double medianSendRate, double backlogGrowthPerSecond,
                        Duration p99, boolean passed, String reason) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%10.0f msg/s -> held %10.1f msg/s (overall %10.1f), backlog growth"
                            + " %8.1f msg/s, p99 %9.3f ms: %s", targetRate, medianSendRate, achievedRate,
                    backlogGrowthPerSecond, p99.toNanos() / 1e6, passed ? "pass" : "FAIL (" + reason + ")");
        }
    }

    /** The answer and how it was found. */
    public record Result(double maxRate, List<Probe> probes) {
        public Result {
            probes = List.copyOf(probes);
        }

        public String toTable() {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "max sustainable throughput: %.0f msg/s (%d probes)%n", maxRate, probes.size()));
            probes.forEach(p -> out.append("  ").append(p).append('\n'));
            return out.toString();
        }
    }

    private final Builder b;

    private MaxThroughputSearch(Builder b) {
        this.b = b;
    }

    public static Builder builder(LoadDriver driver) {
        return new Builder(driver);
    }

    /** Runs the probes and returns the highest rate that passed (0 when even the lowest failed). */
    public Result run() {
        List<Probe> probes = new ArrayList<>();
        double lo;
        double hi;
        if (sustains(b.startRate, probes)) {
            lo = b.startRate;
            while (true) {                       // double until a rate fails
                if (lo >= b.maxRate) {
                    return new Result(lo, probes);
                }
                double next = Math.min(b.maxRate, lo * 2);
                if (!sustains(next, probes)) {
                    hi = next;
                    break;
                }
                lo = next;
            }
        } else {
            hi = b.startRate;
            while (true) {                       // halve until a rate passes
                double next = hi / 2;
                if (next < b.minRate) {
                    return new Result(0, probes);
                }
                if (sustains(next, probes)) {
                    lo = next;
                    break;
                }
                hi = next;
            }
        }
        while (hi / lo > 1 + b.precision) {
            double mid = Math.sqrt(lo * hi);
            if (sustains(mid, probes)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return new Result(lo, probes);
    }

    /** Probes {@code rate} until a majority of {@link Builder#probesPerRate} probes agree. */
    private boolean sustains(double rate, List<Probe> probes) {
        int majority = b.probesPerRate / 2 + 1;
        int passed = 0;
        int failed = 0;
        while (passed < majority && failed < majority) {
            Probe probe = probe(rate, probes.size());
            probes.add(probe);
            if (probe.passed()) {
                passed++;
            } else {
                failed++;
            }
        }
        return passed >= majority;
    }

    private Probe probe(double rate, int index) {
        LoadRun.Builder run = LoadRun.builder(b.driver)
                .destination(b.destinationPrefix + "-" + index + "-" + Math.round(rate))
                .schedule(Schedule.constant(rate, b.probeDuration))
                .warmUp(b.warmUp)
                .drainTimeout(b.drainTimeout)
                .abortWhenBehind(DEFAULT_ABORT_BEHIND)
                .progressEvery(Duration.ofMillis(500))
                .progressListener(p -> { });
        b.configure.accept(run);
        LoadReport report = run.run();
        double achieved = report.medianSendRate();
        double growth = report.backlogGrowthPerSecond();
        String reason = null;
        if (report.aborted().isPresent()) {
            reason = "stopped early: " + report.aborted().get();
        } else if (achieved < rate * (1 - b.rateTolerance)) {
            reason = String.format(Locale.ROOT, "held %.1f%% of the target", 100 * achieved / rate);
        } else if (growth > rate * b.backlogTolerance) {
            reason = String.format(Locale.ROOT, "backlog grew %.0f msg/s", growth);
        } else if (!report.drained()) {
            reason = "consumers did not drain within " + b.drainTimeout.toSeconds() + " s";
        } else if (b.slo != null && !b.slo.test(report)) {
            reason = b.sloText + " violated";
        }
        Probe probe = new Probe(rate, report.achievedRate(), achieved, growth, report.endToEndCorrected().p99(), reason == null, reason);
        log.info("latency-lib max-throughput probe {}", probe);
        return probe;
    }

    /** Settings of a {@link MaxThroughputSearch}. */
    public static final class Builder {
        private final LoadDriver driver;
        private Consumer<LoadRun.Builder> configure = r -> { };
        private String destinationPrefix = "latency-max";
        private double startRate = 1_000;
        private double minRate = 10;
        private double maxRate = 10_000_000;
        private double precision = 0.05;
        private double rateTolerance = 0.01;
        private double backlogTolerance = 0.02;
        private Duration probeDuration = Duration.ofSeconds(10);
        private Duration warmUp = Duration.ofSeconds(2);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private int probesPerRate = 3;
        private Predicate<LoadReport> slo;
        private String sloText;

        private Builder(LoadDriver driver) {
            this.driver = Objects.requireNonNull(driver, "driver");
        }

        /** Sets what every probe shares (message size, keys, producers, consumers...). */
        public Builder configure(Consumer<LoadRun.Builder> configure) {
            this.configure = Objects.requireNonNull(configure, "configure");
            return this;
        }

        /** Each probe sends to a fresh destination named from this prefix. Default {@code latency-max}. */
        public Builder destinationPrefix(String prefix) {
            this.destinationPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** First rate probed. Default 1,000 msg/s. */
        public Builder startRate(double perSecond) {
            this.startRate = positive(perSecond, "startRate");
            return this;
        }

        /** Highest rate probed. Default 10,000,000 msg/s. */
        public Builder maxRate(double perSecond) {
            this.maxRate = positive(perSecond, "maxRate");
            return this;
        }

        /** Stop when the bounds are within this fraction (default 0.05 = 5%). */
        public Builder precision(double fraction) {
            this.precision = positive(fraction, "precision");
            return this;
        }

        /** How far below the target the held rate ({@link LoadReport#medianSendRate()}) may fall (default 0.01 = 1%). */
        public Builder rateTolerance(double fraction) {
            this.rateTolerance = positive(fraction, "rateTolerance");
            return this;
        }

        /** How fast the backlog may grow, as a fraction of the rate per second (default 0.02). */
        public Builder backlogTolerance(double fraction) {
            this.backlogTolerance = positive(fraction, "backlogTolerance");
            return this;
        }

        /** Measured time of each probe (default 10 s), after its warm-up (default 2 s). */
        public Builder probeDuration(Duration probe, Duration warmUp) {
            this.probeDuration = Objects.requireNonNull(probe, "probe");
            this.warmUp = Objects.requireNonNull(warmUp, "warmUp");
            return this;
        }

        /** How long a probe waits for its consumers to drain (default 10 s). */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How many probes may judge one rate: it passes when more than half of them pass, and probing
         * stops as soon as one side has that majority (default 3: two or three probes a rate). An odd
         * number; 1 lets every probe decide alone, which on a busy machine makes the answer wander.
         */
        public Builder probesPerRate(int probes) {
            if (probes < 1 || probes % 2 == 0) {
                throw new IllegalArgumentException("probesPerRate must be odd and positive (1, 3, 5...): " + probes);
            }
            this.probesPerRate = probes;
            return this;
        }

        /** An objective every passing probe must also meet, e.g. {@code r -> r.endToEndCorrected().p99().toMillis() < 50}. */
        public Builder slo(String description, Predicate<LoadReport> slo) {
            this.sloText = Objects.requireNonNull(description, "description");
            this.slo = Objects.requireNonNull(slo, "slo");
            return this;
        }

        public MaxThroughputSearch build() {
            return new MaxThroughputSearch(this);
        }

        public Result run() {
            return build().run();
        }

        private static double positive(double v, String what) {
            if (!(v > 0)) {
                throw new IllegalArgumentException(what + " must be positive: " + v);
            }
            return v;
        }
    }
}
