package io.latencylib.report;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import io.latencylib.internal.ReportAccess;
import io.latencylib.load.LoadReport;
import io.latencylib.slo.Slo;
import io.latencylib.slo.SloSyntaxException;
import io.latencylib.slo.Verdict;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Converts {@link ReportData} to and from the JSON of schema {@value #SCHEMA}, version
 * {@value #VERSION}; the schema is documented in {@code REPORT-SCHEMA.md} (test resources of this
 * package) and summarised on {@link LatencyReports#writeJson(ReportData, java.nio.file.Path)}.
 */
final class ReportJson {

    static final String SCHEMA = "latency-lib/report";
    static final int VERSION = 2;
    /** The oldest version read: version 1 had no {@code verdicts}. */
    static final int OLDEST_READ = 1;
    /** The percentiles written as summary fields of every distribution, with their keys. */
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};
    static final String[] PERCENTILE_KEYS = {"50", "90", "99", "99.9", "99.99"};

    private ReportJson() {
    }

    // ---------------------------------------------------------------- writing

    static String write(ReportData data) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", SCHEMA);
        root.put("version", VERSION);
        root.put("latencyUnit", "microseconds");
        latency(root, data.latency(), data.environment());
        data.load().ifPresent(load -> root.put("load", load(load)));
        root.put("intervals", data.intervals().stream().map(i -> latency(new LinkedHashMap<>(), i, null)).toList());
        root.put("verdicts", data.verdicts().stream().map(ReportJson::verdict).toList());
        return Json.write(root);
    }

    private static Map<String, Object> verdict(Verdict v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("objective", v.slo().toString());
        out.put("passed", v.passed());
        out.put("measured", v.measured());
        out.put("measuredText", v.measuredText());
        v.stageAtFault().ifPresent(s -> out.put("stageAtFault", s));
        if (v.message() != null) {
            out.put("message", v.message());
        }
        return out;
    }

    private static Map<String, Object> latency(Map<String, Object> out, LatencyReport d, Environment environment) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("start", d.start().toString());
        run.put("end", d.end().toString());
        run.put("durationMicros", d.duration().toNanos() / 1000);
        out.put("run", run);
        if (environment != null) {
            out.put("environment", environment(environment));
        }
        out.put("stages", d.stages().stream().map(ReportJson::distribution).toList());
        out.put("endToEnd", distribution(d.endToEnd()));
        d.endToEndFromIntended().ifPresent(x -> out.put("endToEndFromIntended", distribution(x)));
        d.producerLatency().ifPresent(x -> out.put("producerLatency", distribution(x)));
        d.lateness().ifPresent(x -> out.put("lateness", distribution(x)));
        out.put("counts", counts(d.counts()));
        List<Object> clamps = new ArrayList<>();
        for (Stage s : Stage.values()) {   // one entry per stage, in stage order
            Map<String, Object> clamp = new LinkedHashMap<>();
            clamp.put("stage", s.label());
            clamp.put("count", d.clamps(s));
            d.largestClamp(s).ifPresent(l -> clamp.put("largestMicros", l.toNanos() / 1000));
            clamps.add(clamp);
        }
        out.put("clamps", clamps);
        d.clockOffsetBounds().ifPresent(b -> {
            Map<String, Object> bounds = new LinkedHashMap<>();
            bounds.put("lower", b.lowerMicros());
            bounds.put("upper", b.upperMicros());
            out.put("clockOffsetMicros", bounds);
        });
        out.put("notes", d.notes());
        return out;
    }

    private static Map<String, Object> environment(Environment e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("libraryVersion", e.libraryVersion());
        out.put("javaVersion", e.javaVersion());
        out.put("javaVendor", e.javaVendor());
        out.put("osName", e.osName());
        out.put("osVersion", e.osVersion());
        out.put("osArch", e.osArch());
        out.put("availableProcessors", e.availableProcessors());
        e.kafkaClientsVersion().ifPresent(v -> out.put("kafkaClientsVersion", v));
        return out;
    }

    private static Map<String, Object> distribution(StageStats d) {
        Histogram h = d.histogram();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", d.name());
        out.put("stages", d.stages().stream().map(Stage::label).toList());
        out.put("count", d.count());
        out.put("min", d.min().toNanos() / 1000);
        out.put("max", d.max().toNanos() / 1000);
        out.put("mean", h.getMean());
        Map<String, Object> percentiles = new LinkedHashMap<>();
        for (int i = 0; i < PERCENTILES.length; i++) {
            percentiles.put(PERCENTILE_KEYS[i], h.getValueAtPercentile(PERCENTILES[i]));
        }
        out.put("percentiles", percentiles);
        out.put("histogram", encode(h));
        return out;
    }

    /** @return {@code h} in HdrHistogram's compressed encoding, Base64 */
    static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
    }

    /** @return the histogram {@link #encode} wrote */
    static Histogram decode(String base64) throws DataFormatException {
        byte[] bytes = Base64.getDecoder().decode(base64);
        return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
    }

    private static Map<String, Object> counts(LatencyReport.Counts c) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < COUNT_FIELDS.length; i++) {
            try {
                out.put(COUNT_FIELDS[i].getName(), COUNT_FIELDS[i].getAccessor().invoke(c));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /**
     * The members of {@code counts} are the components of {@link LatencyReport.Counts}, by name, so a
     * counter added there is written (and read back) without a change here; one missing from a file
     * (written before it existed) reads as 0.
     */
    private static final RecordComponent[] COUNT_FIELDS = LatencyReport.Counts.class.getRecordComponents();

    private static LatencyReport.Counts counts(Obj c) {
        Object[] values = new Object[COUNT_FIELDS.length];
        Class<?>[] types = new Class<?>[COUNT_FIELDS.length];
        for (int i = 0; i < COUNT_FIELDS.length; i++) {
            String name = COUNT_FIELDS[i].getName();
            values[i] = c.map().get(name) == null ? 0L : c.longValue(name);
            types[i] = COUNT_FIELDS[i].getType();
        }
        try {
            return LatencyReport.Counts.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("LatencyReport.Counts has a component that is not a long", e);
        }
    }

    private static Map<String, Object> load(LoadData l) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("schedule", l.schedule());
        out.put("scheduleDurationNanos", l.scheduleDuration().toNanos());
        out.put("targetRate", l.targetRate());
        out.put("achievedRate", l.achievedRate());
        out.put("sent", l.sent());
        out.put("drained", l.drained());
        out.put("backlogGrowthPerSecond", l.backlogGrowthPerSecond());
        out.put("lateMessages", l.lateMessages());
        out.put("lateThresholdMicros", LoadReport.LATE_THRESHOLD.toNanos() / 1000);
        List<Object> steps = new ArrayList<>();
        for (LoadData.Step s : l.steps()) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("schedule", s.schedule());
            step.put("targetRate", s.targetRate());
            step.put("achievedRate", s.achievedRate());
            step.put("report", latency(new LinkedHashMap<>(), s.latency(), null));
            steps.add(step);
        }
        out.put("steps", steps);
        List<Object> backlog = new ArrayList<>();
        for (LoadReport.BacklogSample b : l.backlog()) {
            Map<String, Object> sample = new LinkedHashMap<>();
            sample.put("elapsedNanos", b.elapsed().toNanos());
            sample.put("sent", b.sent());
            sample.put("received", b.received());
            backlog.add(sample);
        }
        out.put("backlog", backlog);
        return out;
    }

    // ---------------------------------------------------------------- reading

    static ReportData read(String text) throws IOException {
        try {
            Object parsed = Json.parse(text);
            if (!(parsed instanceof Map<?, ?>)) {
                throw new Malformed("the document is not a JSON object");
            }
            Obj root = new Obj((Map<?, ?>) parsed, "");
            String schema = root.string("schema");
            if (!SCHEMA.equals(schema)) {
                throw new Malformed("not a latency-lib report: schema is \"" + schema + "\", expected \"" + SCHEMA + "\"");
            }
            long version = root.longValue("version");
            if (version < OLDEST_READ || version > VERSION) {
                throw new Malformed("report version " + version + " cannot be read: this latency-lib reads versions "
                        + OLDEST_READ + " to " + VERSION
                        + (version > VERSION ? " (the file was written by a newer latency-lib: read it with that one)" : ""));
            }
            LatencyReport latency = latency(root);
            Environment environment = environment(root.object("environment"));
            Optional<LoadData> load = root.optionalObject("load").map(ReportJson::load);
            List<LatencyReport> intervals = new ArrayList<>();
            for (Obj interval : root.map().get("intervals") == null ? List.<Obj>of() : root.objects("intervals")) {
                intervals.add(latency(interval));
            }
            List<Verdict> verdicts = new ArrayList<>();
            for (Obj verdict : root.map().get("verdicts") == null ? List.<Obj>of() : root.objects("verdicts")) {
                verdicts.add(verdict(verdict));
            }
            return new ReportData(environment, latency, load, intervals, verdicts);
        } catch (Json.JsonException | Malformed e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static Verdict verdict(Obj v) {
        Slo slo;
        try {
            slo = Slo.parse(v.string("objective"));
        } catch (SloSyntaxException e) {
            throw new Malformed(v.path("objective") + ": not an objective: " + e.getMessage());
        }
        try {
            return new Verdict(slo, v.bool("passed"), v.doubleValue("measured"), v.optionalString("message").orElse(null),
                    v.optionalString("stageAtFault"));
        } catch (IllegalArgumentException e) {
            throw new Malformed(v.at() + ": " + e.getMessage());
        }
    }

    private static LatencyReport latency(Obj o) {
        Obj run = o.object("run");
        List<StageStats> stages = new ArrayList<>();
        for (Obj s : o.objects("stages")) {
            stages.add(distribution(s));
        }
        LatencyReport.Counts counts = counts(o.object("counts"));
        Map<Stage, Long> clamps = new EnumMap<>(Stage.class);
        Map<Stage, Duration> largest = new EnumMap<>(Stage.class);
        for (Obj clamp : o.objects("clamps")) {
            Stage stage = stage(clamp, clamp.string("stage"));
            if (clamps.put(stage, clamp.longValue("count")) != null) {
                throw new Malformed(clamp.path("stage") + ": a second entry of stage \"" + stage.label() + "\"");
            }
            clamp.optionalLong("largestMicros").ifPresent(m -> largest.put(stage, Duration.ofNanos(m * 1000)));
        }
        LatencyReport.ClockOffsetBounds bounds = o.optionalObject("clockOffsetMicros")
                .map(b -> new LatencyReport.ClockOffsetBounds(b.longValue("lower"), b.longValue("upper"))).orElse(null);
        List<String> notes = new ArrayList<>();
        for (Object note : o.list("notes")) {
            if (!(note instanceof String s)) {
                throw new Malformed(o.path("notes") + ": expected strings");
            }
            notes.add(s);
        }
        return ReportAccess.factory().report(run.instant("start"), run.instant("end"), distribution(o.object("endToEnd")),
                optionalDistribution(o, "endToEndFromIntended"), optionalDistribution(o, "producerLatency"),
                optionalDistribution(o, "lateness"), stages, counts, clamps, largest, bounds, notes, Set.of());
    }

    private static Environment environment(Obj e) {
        return new Environment(e.string("libraryVersion"), e.string("javaVersion"), e.string("javaVendor"),
                e.string("osName"), e.string("osVersion"), e.string("osArch"),
                Math.toIntExact(e.longValue("availableProcessors")), e.optionalString("kafkaClientsVersion"));
    }

    private static StageStats optionalDistribution(Obj o, String key) {
        return o.optionalObject(key).map(ReportJson::distribution).orElse(null);
    }

    private static StageStats distribution(Obj d) {
        List<Stage> stages = new ArrayList<>();
        for (Object label : d.list("stages")) {
            stages.add(stage(d, label));
        }
        String name = d.string("name");
        try {
            return ReportAccess.factory().stats(name, stages, decode(d.string("histogram")));
        } catch (DataFormatException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw new Malformed(d.path("histogram") + ": not an encoded HdrHistogram (" + e.getMessage() + ")");
        }
    }

    private static Stage stage(Obj where, Object label) {
        for (Stage s : Stage.values()) {
            if (s.label().equals(label)) {
                return s;
            }
        }
        throw new Malformed(where.path("stages") + ": unknown stage \"" + label + "\"");
    }

    private static LoadData load(Obj l) {
        List<LoadData.Step> steps = new ArrayList<>();
        for (Obj s : l.objects("steps")) {
            steps.add(new LoadData.Step(s.string("schedule"), s.doubleValue("targetRate"), s.doubleValue("achievedRate"),
                    latency(s.object("report"))));
        }
        List<LoadReport.BacklogSample> backlog = new ArrayList<>();
        for (Obj b : l.objects("backlog")) {
            backlog.add(new LoadReport.BacklogSample(Duration.ofNanos(b.longValue("elapsedNanos")), b.longValue("sent"),
                    b.longValue("received")));
        }
        return new LoadData(l.string("schedule"), Duration.ofNanos(l.longValue("scheduleDurationNanos")),
                l.doubleValue("targetRate"), l.doubleValue("achievedRate"), l.longValue("sent"), l.bool("drained"),
                l.doubleValue("backlogGrowthPerSecond"), l.longValue("lateMessages"), steps, backlog);
    }

    /** A well-formed JSON document that is not a valid report. */
    private static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message);
        }
    }

    /** A JSON object with typed, path-reporting accessors. */
    private record Obj(Map<?, ?> map, String at) {

        String path(String key) {
            return at.isEmpty() ? key : at + "." + key;
        }

        private Object required(String key) {
            if (!map.containsKey(key) || map.get(key) == null) {
                throw new Malformed("missing member " + path(key));
            }
            return map.get(key);
        }

        String string(String key) {
            if (required(key) instanceof String s) {
                return s;
            }
            throw new Malformed(path(key) + ": expected a string");
        }

        Optional<String> optionalString(String key) {
            return map.get(key) == null ? Optional.empty() : Optional.of(string(key));
        }

        long longValue(String key) {
            if (required(key) instanceof Long l) {
                return l;
            }
            throw new Malformed(path(key) + ": expected an integer");
        }

        Optional<Long> optionalLong(String key) {
            return map.get(key) == null ? Optional.empty() : Optional.of(longValue(key));
        }

        /** Doubles may be written as integers; {@code null} stands for a non-finite value. */
        double doubleValue(String key) {
            if (!map.containsKey(key)) {
                throw new Malformed("missing member " + path(key));
            }
            Object v = map.get(key);
            if (v == null) {
                return Double.NaN;
            }
            if (v instanceof Number n) {
                return n.doubleValue();
            }
            throw new Malformed(path(key) + ": expected a number");
        }

        boolean bool(String key) {
            if (required(key) instanceof Boolean b) {
                return b;
            }
            throw new Malformed(path(key) + ": expected true or false");
        }

        Instant instant(String key) {
            try {
                return Instant.parse(string(key));
            } catch (DateTimeParseException e) {
                throw new Malformed(path(key) + ": not an ISO-8601 instant: " + e.getParsedString());
            }
        }

        Obj object(String key) {
            if (required(key) instanceof Map<?, ?> m) {
                return new Obj(m, path(key));
            }
            throw new Malformed(path(key) + ": expected an object");
        }

        Optional<Obj> optionalObject(String key) {
            return map.get(key) == null ? Optional.empty() : Optional.of(object(key));
        }

        List<?> list(String key) {
            if (required(key) instanceof List<?> l) {
                return l;
            }
            throw new Malformed(path(key) + ": expected an array");
        }

        List<Obj> objects(String key) {
            List<Obj> out = new ArrayList<>();
            List<?> items = list(key);
            for (int i = 0; i < items.size(); i++) {
                if (!(items.get(i) instanceof Map<?, ?> m)) {
                    throw new Malformed(path(key) + "[" + i + "]: expected an object");
                }
                out.add(new Obj(m, path(key) + "[" + i + "]"));
            }
            return out;
        }
    }
}
