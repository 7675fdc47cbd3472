package io.latencylib.report;

import io.latencylib.LatencyClock;
import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.LatencyStamp;
import io.latencylib.Stage;
import io.latencylib.internal.ReportAccess;
import io.latencylib.load.LoadReport;
import io.latencylib.load.Schedule;
import io.latencylib.spi.ConsumerProbe;
import io.latencylib.spi.ProducerProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A realistic run made of synthetic instants fed through the recorder's spi probes, as a Kafka
 * adapter would: a stepped paced load (or unpaced traffic) through one producer with linger-based
 * batching, a broker whose publish and commit times grow with the load, an occasional slow request,
 * a sender stall (coordinated omission), a broker clock slightly ahead, and a consumer that sometimes
 * falls behind. Deterministic for a seed; runs in well under a second.
 */
final class SyntheticRun {

    /** A clock the simulation drives. */
    static final class ManualClock implements LatencyClock {
        long now;

        @Override
        public long nowMicros() {
            return now;
        }
    }

    static final long T0 = 1_700_000_000_000_000L;

    /** What to simulate. */
    static final class Options {
        long seed = 1;
        boolean paced = true;
        boolean logAppendTime = true;
        double[] stepRates = {1_000, 2_500, 5_000};
        long stepMicros = 4_000_000;
        long warmUpMicros = 2_000_000;
        double commitFactor = 1.0;
        double publishFactor = 1.0;
        /** Sender stall: from this offset (after the warm-up), this long; 0 for none. */
        long stallAtMicros = 7_000_000;
        long stallMicros = 150_000;

        Options seed(long seed) {
            this.seed = seed;
            return this;
        }

        Options unpaced() {
            this.paced = false;
            return this;
        }

        Options createTime() {
            this.logAppendTime = false;
            return this;
        }

        Options steps(long stepMicros, double... rates) {
            this.stepMicros = stepMicros;
            this.stepRates = rates;
            return this;
        }

        Options slowerCommit(double factor) {
            this.commitFactor = factor;
            return this;
        }

        Options slowerPublish(double factor) {
            this.publishFactor = factor;
            return this;
        }
    }

    /** The outcome: the recorder's reports and the data of the whole run as a load run. */
    record Result(LatencyReport report, List<LatencyReport> intervals, List<LatencyReport> steps, ReportData data) {
    }

    private record Message(long intended, long send) {
    }

    private SyntheticRun() {
    }

    static Result run(Options o) {
        Random random = new Random(o.seed);
        ManualClock clock = new ManualClock();
        clock.now = T0;
        LatencyRecorder recorder = LatencyRecorder.builder().clock(clock).build();
        long measuredFrom = T0 + o.warmUpMicros;
        if (o.warmUpMicros > 0) {
            recorder.measureFrom(Instant.ofEpochSecond(0, measuredFrom * 1000));
        }
        recorder.note("synthetic run for the report tests: instants are generated, not measured");
        ProducerProbe producer = recorder.newProducerProbe("kafka", true, Duration.ofMillis(5), 16384, 5);
        ConsumerProbe consumer = recorder.newConsumerProbe("test");
        LatencyRecorder.IntervalReader intervalReader = recorder.newIntervalReader();
        LatencyRecorder.IntervalReader stepReader = recorder.newIntervalReader();

        // the schedule: a warm-up at the first rate, then the steps
        List<Message> messages = new ArrayList<>();
        long senderFree = T0;
        long at = 0;
        List<long[]> segments = new ArrayList<>();   // {start offset, end offset, rate}
        if (o.warmUpMicros > 0) {
            segments.add(new long[] {0, o.warmUpMicros, (long) o.stepRates[0]});
        }
        long offset = o.warmUpMicros;
        for (double rate : o.stepRates) {
            segments.add(new long[] {offset, offset + o.stepMicros, (long) rate});
            offset += o.stepMicros;
        }
        long endOffset = offset;
        long late = 0;
        for (long[] seg : segments) {
            double gap = 1_000_000.0 / seg[2];
            for (long k = 0; ; k++) {
                long due = seg[0] + Math.round(k * gap);
                if (due >= seg[1]) {
                    break;
                }
                long intended = T0 + due;
                long send = Math.max(intended, senderFree);
                long stallStart = T0 + o.warmUpMicros + o.stallAtMicros;
                if (o.stallMicros > 0 && send >= stallStart && send < stallStart + o.stallMicros) {
                    send = stallStart + o.stallMicros;   // a GC pause: everything due meanwhile goes late
                }
                send += (long) lognormal(random, 45, 0.5);
                senderFree = send + 8;
                if (send - intended > 1000 && intended >= measuredFrom) {
                    late++;
                }
                messages.add(new Message(intended, send));
            }
        }
        at = T0 + endOffset;

        // batches: up to 16 messages of 1 KiB, or linger.ms = 5 after the first
        List<LatencyReport> intervals = new ArrayList<>();
        List<LatencyReport> steps = new ArrayList<>();
        long nextInterval = T0 + 1_000_000;
        int nextStep = o.warmUpMicros > 0 ? 0 : 1;
        long[] stepEnds = new long[o.stepRates.length + 1];
        stepEnds[0] = measuredFrom;
        for (int i = 0; i < o.stepRates.length; i++) {
            stepEnds[i + 1] = measuredFrom + (i + 1) * o.stepMicros;
        }
        long[] sendTimes = new long[messages.size()];
        long[] receiveTimes = new long[messages.size()];
        int partition = 0;
        int i = 0;
        long brokerSkew = 350;   // the broker clock runs 0.35 ms ahead
        while (i < messages.size()) {
            int first = i;
            long batchStart = messages.get(i).send();
            int end = i + 1;
            while (end < messages.size() && end - first < 16 && messages.get(end).send() <= batchStart + 5_000) {
                end++;
            }
            long dispatch = end - first == 16 ? messages.get(end - 1).send() + 30 : batchStart + 5_000;
            double load = loadAt(o, messages.get(first).intended());
            double queueing = 1 / Math.max(0.08, 1 - load);
            long publish = (long) (lognormal(random, 180 * queueing * o.publishFactor, 0.55));
            if (random.nextDouble() < 0.004) {
                publish += 15_000 + random.nextInt(45_000);   // a slow request on the broker
            }
            long append = dispatch + publish;
            long commit = (long) lognormal(random, 260 * Math.sqrt(queueing) * o.commitFactor, 0.5);
            if (random.nextDouble() < 0.003) {
                commit += 8_000 + random.nextInt(20_000);    // a slow follower
            }
            long ack = append + commit + (long) lognormal(random, 90, 0.3);
            // a tick of the interval and step readers before this batch completes
            while (nextInterval <= ack || (nextStep < stepEnds.length && stepEnds[nextStep] <= ack)) {
                boolean stepFirst = nextStep < stepEnds.length && stepEnds[nextStep] < nextInterval;
                if (stepFirst) {
                    clock.now = Math.max(clock.now, stepEnds[nextStep]);
                    LatencyReport step = stepReader.next();
                    if (nextStep > 0) {
                        steps.add(step);
                    }
                    nextStep++;
                } else {
                    clock.now = Math.max(clock.now, nextInterval);
                    LatencyReport interval = intervalReader.next();
                    if (nextInterval > measuredFrom) {
                        intervals.add(interval);
                    }
                    nextInterval += 1_000_000;
                }
            }
            byte[][] stamps = new byte[end - first][];
            for (int m = first; m < end; m++) {
                Message msg = messages.get(m);
                stamps[m - first] = producer.beginSend(msg.send(), o.paced ? msg.intended() : LatencyStamp.NOT_PACED);
                producer.sendReturned(stamps[m - first], msg.send() + 12);
                sendTimes[m] = msg.send();
            }
            for (int m = first; m < end; m++) {
                producer.acked(stamps[m - first], ack, dispatch, partition,
                        m == first ? ProducerProbe.NEW_REQUEST : ProducerProbe.SAME_BATCH, 1024);
            }
            long committed = append + commit;
            // one poll returns the batch: the consumer was usually waiting already (catch-up 0), now and
            // then, more often under load, still busy with what it had before
            long catchUp = random.nextDouble() < 0.02 + 0.1 * load * load ? (long) lognormal(random, 1_200, 0.9) : 0;
            long ready = catchUp > 0 ? committed + catchUp : committed - 150;
            long receive = Math.max(ready, committed) + (long) lognormal(random, 320 * Math.sqrt(queueing), 0.45);
            long appendMillis = o.logAppendTime ? (append + brokerSkew) / 1000 : ConsumerProbe.NO_APPEND_TIME;
            consumer.free(ready);
            for (int m = first; m < end; m++) {
                consumer.received(stamps[m - first], partition, appendMillis, receive + (m - first));
                receiveTimes[m] = receive + (m - first);
            }
            consumer.busy(receive + end - first);
            clock.now = Math.max(clock.now, receive + end - first);
            partition = (partition + 1) % 3;
            i = end;
        }
        long endMicros = Math.max(at, clock.now) + 20_000;
        while (nextStep < stepEnds.length) {
            clock.now = Math.max(clock.now, Math.min(stepEnds[nextStep], endMicros));
            if (nextStep == stepEnds.length - 1) {
                clock.now = endMicros;
            }
            LatencyReport step = stepReader.next();
            if (nextStep > 0) {
                steps.add(step);
            }
            nextStep++;
        }
        while (nextInterval <= endMicros) {
            clock.now = nextInterval;
            intervals.add(intervalReader.next());
            nextInterval += 1_000_000;
        }
        clock.now = endMicros;
        if (endMicros > nextInterval - 1_000_000) {
            intervals.add(intervalReader.next());
        }
        LatencyReport report = recorder.report();

        // the load-run part, as LoadRun would report it
        List<LoadReport.BacklogSample> backlog = new ArrayList<>();
        for (long t = T0 + 1_000_000; t <= endMicros; t += 1_000_000) {
            backlog.add(sample(t, sendTimes, receiveTimes));
        }
        backlog.add(sample(endMicros, sendTimes, receiveTimes));
        Schedule schedule = Schedule.steps(Duration.ofNanos(o.stepMicros * 1000), o.stepRates);
        List<LoadData.Step> stepData = new ArrayList<>();
        long measured = 0;
        for (int s = 0; s < steps.size(); s++) {
            long sent = 0;
            for (Message m : messages) {
                if (m.send() >= stepEnds[s] && m.send() < stepEnds[s + 1]) {
                    sent++;
                }
            }
            measured += sent;
            Schedule phase = schedule.phases().get(s);
            stepData.add(new LoadData.Step(phase.toString(), phase.averageRate(), sent / (o.stepMicros / 1e6),
                    steps.get(s)));
        }
        LoadData load = new LoadData(schedule.toString(), schedule.duration(), schedule.averageRate(),
                measured / (schedule.duration().toNanos() / 1e9), measured, true, growth(backlog), late, stepData,
                backlog);
        ReportData data = new ReportData(Environment.current(), report, o.paced ? Optional.of(load) : Optional.empty(),
                intervals, List.of());
        return new Result(report, intervals, steps, data);
    }

    /** @return {@code r} with {@code notes} instead of its own, made as a report reader makes reports */
    static LatencyReport withNotes(LatencyReport r, List<String> notes) {
        Map<Stage, Long> clamps = new EnumMap<>(Stage.class);
        Map<Stage, Duration> largest = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            clamps.put(s, r.clamps(s));
            r.largestClamp(s).ifPresent(d -> largest.put(s, d));
        }
        return ReportAccess.factory().report(r.start(), r.end(), r.endToEnd(), r.endToEndFromIntended().orElse(null),
                r.producerLatency().orElse(null), r.lateness().orElse(null), r.stages(), r.counts(), clamps, largest,
                r.clockOffsetBounds().orElse(null), notes, r.systems());
    }

    /** How busy the broker is at {@code intended}, 0..1: the step's rate over 6,000 msg/s. */
    private static double loadAt(Options o, long intended) {
        long offset = intended - T0 - o.warmUpMicros;
        int step = offset < 0 ? 0 : (int) Math.min(o.stepRates.length - 1, offset / o.stepMicros);
        return o.stepRates[step] / 6_000.0;
    }

    private static double lognormal(Random random, double median, double sigma) {
        return median * Math.exp(sigma * random.nextGaussian());
    }

    private static LoadReport.BacklogSample sample(long t, long[] sends, long[] receives) {
        long sent = 0;
        long received = 0;
        for (int i = 0; i < sends.length; i++) {
            if (sends[i] <= t) {
                sent++;
            }
            if (receives[i] <= t && receives[i] > 0) {
                received++;
            }
        }
        return new LoadReport.BacklogSample(Duration.ofNanos((t - T0) * 1000), sent, received);
    }

    private static double growth(List<LoadReport.BacklogSample> backlog) {
        List<LoadReport.BacklogSample> tail = backlog.subList(backlog.size() / 2, backlog.size());
        double n = tail.size();
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (LoadReport.BacklogSample s : tail) {
            double x = s.elapsed().toNanos() / 1e9;
            sx += x;
            sy += s.backlog();
            sxx += x * x;
            sxy += x * s.backlog();
        }
        double d = n * sxx - sx * sx;
        return d == 0 ? 0 : (n * sxy - sx * sy) / d;
    }
}
