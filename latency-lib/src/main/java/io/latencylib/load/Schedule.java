package io.latencylib.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * When each message of a paced run is due: a plain, printable value. Every message has an intended
 * send instant (an offset from the start of the run); a sender that falls behind sends what is due
 * without skipping it, and latency is also measured from that instant, so a stall cannot hide.
 *
 * <pre>{@code
 * Schedule.constant(1_000, Duration.ofSeconds(20))
 * Schedule.steps(Duration.ofSeconds(10), 10_000, 50_000, 100_000)   // one report per step
 * Schedule.ramp(1_000, 20_000, Duration.ofMinutes(1))
 * Schedule.bursts(500, Duration.ofSeconds(1), Duration.ofSeconds(20)) // 500 at once, every second
 * Schedule.poisson(1_000, Duration.ofSeconds(20), 42)
 * Schedule.constant(1_000, Duration.ofSeconds(5)).then(Schedule.bursts(...))
 * }</pre>
 */
public sealed interface Schedule permits Schedule.Constant, Schedule.Ramp, Schedule.Bursts, Schedule.Poisson,
        Schedule.Sequence {

    /** @return {@code perSecond} messages a second, evenly spaced, for {@code duration} */
    static Schedule constant(double perSecond, Duration duration) {
        return new Constant(positive(perSecond, "rate"), positive(duration));
    }

    /** @return a rate rising (or falling) linearly from {@code fromPerSecond} to {@code toPerSecond} */
    static Schedule ramp(double fromPerSecond, double toPerSecond, Duration duration) {
        if (fromPerSecond < 0 || toPerSecond < 0 || fromPerSecond + toPerSecond <= 0) {
            throw new IllegalArgumentException("ramp rates must be >= 0 and not both 0: " + fromPerSecond + ", "
                    + toPerSecond);
        }
        return new Ramp(fromPerSecond, toPerSecond, positive(duration));
    }

    /** @return constant steps, each held for {@code each}; a load run reports every step separately */
    static Schedule steps(Duration each, double... perSecond) {
        if (perSecond.length == 0) {
            throw new IllegalArgumentException("steps need at least one rate");
        }
        List<Schedule> parts = new ArrayList<>();
        for (double rate : perSecond) {
            parts.add(constant(rate, each));
        }
        return parts.size() == 1 ? parts.get(0) : new Sequence(parts);
    }

    /** @return {@code messages} messages all due at once, every {@code period}, for {@code duration} */
    static Schedule bursts(int messages, Duration period, Duration duration) {
        if (messages <= 0) {
            throw new IllegalArgumentException("a burst needs at least one message: " + messages);
        }
        return new Bursts(messages, positive(period), positive(duration));
    }

    /** @return arrivals of a Poisson process (exponential gaps) averaging {@code perSecond}, reproducible by seed */
    static Schedule poisson(double perSecond, Duration duration, long seed) {
        return new Poisson(positive(perSecond, "rate"), positive(duration), seed);
    }

    /** @return this schedule, then {@code next} */
    default Schedule then(Schedule next) {
        List<Schedule> parts = new ArrayList<>(phases());
        parts.addAll(next.phases());
        return new Sequence(parts);
    }

    /** @return how long the schedule lasts */
    Duration duration();

    /** @return the average rate, messages per second */
    double averageRate();

    /** @return the rate due at {@code offsetNanos} from the start (the average rate for bursts) */
    default double rateAt(long offsetNanos) {
        return averageRate();
    }

    /** @return the parts a run reports one by one: the parts of a sequence, otherwise this schedule */
    default List<Schedule> phases() {
        return List.of(this);
    }

    /** @return a fresh iterator of due offsets (nanoseconds from the start), non-decreasing */
    Cursor cursor();

    /** Iterates the due offsets of a schedule. Not thread-safe. */
    interface Cursor {
        /** @return the next due offset in nanoseconds from the start, or -1 when the schedule is over */
        long next();
    }

    /** Evenly spaced messages. */
    record Constant(double perSecond, Duration duration) implements Schedule {
        @Override
        public double averageRate() {
            return perSecond;
        }

        @Override
        public Cursor cursor() {
            long count = (long) Math.floor(perSecond * seconds(duration) + 1e-9);
            double gap = 1e9 / perSecond;
            return new Cursor() {
                long k;

                @Override
                public long next() {
                    return k < count ? Math.round(k++ * gap) : -1;
                }
            };
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "constant %s/s for %s", rate(perSecond), text(duration));
        }
    }

    /** A linearly changing rate. */
    record Ramp(double fromPerSecond, double toPerSecond, Duration duration) implements Schedule {
        @Override
        public double averageRate() {
            return (fromPerSecond + toPerSecond) / 2;
        }

        @Override
        public double rateAt(long offsetNanos) {
            double f = Math.min(1, Math.max(0, offsetNanos / (double) duration.toNanos()));
            return fromPerSecond + (toPerSecond - fromPerSecond) * f;
        }

        @Override
        public Cursor cursor() {
            double t = seconds(duration);
            double a = fromPerSecond;
            double c = (toPerSecond - fromPerSecond) / (2 * t);  // messages due by s: a*s + c*s^2
            long count = (long) Math.floor(averageRate() * t + 1e-9);
            return new Cursor() {
                long k;

                @Override
                public long next() {
                    if (k >= count) {
                        return -1;
                    }
                    double n = k++;
                    double s = Math.abs(c) < 1e-12 ? n / a : (-a + Math.sqrt(Math.max(0, a * a + 4 * c * n))) / (2 * c);
                    return Math.round(s * 1e9);
                }
            };
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "ramp %s/s to %s/s over %s", rate(fromPerSecond), rate(toPerSecond),
                    text(duration));
        }
    }

    /** Micro-bursts: several messages due at the same instant, periodically. */
    record Bursts(int messages, Duration period, Duration duration) implements Schedule {
        @Override
        public double averageRate() {
            return messages / seconds(period);
        }

        @Override
        public Cursor cursor() {
            long periodNanos = period.toNanos();
            long bursts = (duration.toNanos() + periodNanos - 1) / periodNanos;
            return new Cursor() {
                long k;

                @Override
                public long next() {
                    if (k >= bursts * messages) {
                        return -1;
                    }
                    return (k++ / messages) * periodNanos;
                }
            };
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "bursts of %d every %s for %s (%s/s on average)", messages, text(period),
                    text(duration), rate(averageRate()));
        }
    }

    /** Poisson arrivals. */
    record Poisson(double perSecond, Duration duration, long seed) implements Schedule {
        @Override
        public double averageRate() {
            return perSecond;
        }

        @Override
        public Cursor cursor() {
            SplittableRandom random = new SplittableRandom(seed);
            long end = duration.toNanos();
            double meanGapNanos = 1e9 / perSecond;
            return new Cursor() {
                double at;

                @Override
                public long next() {
                    long due = Math.round(at);
                    if (due >= end) {
                        return -1;
                    }
                    at += -Math.log(1 - random.nextDouble()) * meanGapNanos;
                    return due;
                }
            };
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "poisson %s/s for %s (seed %d)", rate(perSecond), text(duration), seed);
        }
    }

    /** Schedules one after the other. */
    record Sequence(List<Schedule> parts) implements Schedule {
        public Sequence {
            parts = List.copyOf(parts);
        }

        @Override
        public Duration duration() {
            return parts.stream().map(Schedule::duration).reduce(Duration.ZERO, Duration::plus);
        }

        @Override
        public double averageRate() {
            double messages = 0;
            for (Schedule p : parts) {
                messages += p.averageRate() * seconds(p.duration());
            }
            return messages / seconds(duration());
        }

        @Override
        public double rateAt(long offsetNanos) {
            long start = 0;
            for (Schedule p : parts) {
                long end = start + p.duration().toNanos();
                if (offsetNanos < end) {
                    return p.rateAt(offsetNanos - start);
                }
                start = end;
            }
            return parts.get(parts.size() - 1).rateAt(offsetNanos - start);
        }

        @Override
        public List<Schedule> phases() {
            return parts;
        }

        @Override
        public Cursor cursor() {
            return new Cursor() {
                int part;
                long base;
                Cursor current = parts.get(0).cursor();

                @Override
                public long next() {
                    while (true) {
                        long due = current.next();
                        if (due >= 0) {
                            return base + due;
                        }
                        if (++part >= parts.size()) {
                            return -1;
                        }
                        base += parts.get(part - 1).duration().toNanos();
                        current = parts.get(part).cursor();
                    }
                }
            };
        }

        @Override
        public String toString() {
            return parts.stream().map(Schedule::toString).collect(Collectors.joining(", then "));
        }
    }

    private static double positive(double v, String what) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(what + " must be a positive number: " + v);
        }
        return v;
    }

    private static Duration positive(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("duration must be positive: " + d);
        }
        return d;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static String rate(double r) {
        return r == Math.rint(r) ? String.format(Locale.ROOT, "%,d", (long) r) : String.format(Locale.ROOT, "%,.1f", r);
    }

    private static String text(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
