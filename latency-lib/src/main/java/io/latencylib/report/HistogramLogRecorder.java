package io.latencylib.report;

import io.latencylib.LatencyRecorder;
import io.latencylib.LatencyReport;
import io.latencylib.StageStats;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Writes an HdrHistogram interval log ({@code .hlog}) with HdrHistogram's own
 * {@link HistogramLogWriter}, one interval per {@link #append} call and one tagged histogram per
 * distribution of it. Feed it consecutive interval reports:
 *
 * <pre>{@code
 * LatencyRecorder.IntervalReader reader = recorder.newIntervalReader();
 * try (HistogramLogRecorder log = HistogramLogRecorder.create(Path.of("target/run.hlog"))) {
 *     while (running) {
 *         Thread.sleep(1000);
 *         log.append(reader.next());
 *     }
 * }
 * }</pre>
 *
 * <p>Tags: the stage names of the report ({@code produce}, {@code publish}, {@code commit},
 * {@code catch-up}, {@code fetch}, or merged ones such as {@code publish+commit}), {@code end-to-end},
 * {@code end-to-end-from-intended}, {@code producer} and {@code lateness}; see {@link #tag(StageStats)}.
 * Values are in microseconds (the {@code Interval_Max} column in milliseconds). Timestamps are
 * relative to the start of the first interval, which the log records as its base and start time, so
 * HdrHistogram's {@code HistogramLogReader} returns absolute start and end times. Not thread-safe.
 */
public final class HistogramLogRecorder implements Closeable {

    /** Tag of end-to-end latency from the send instant. */
    public static final String TAG_END_TO_END = "end-to-end";
    /** Tag of end-to-end latency from the intended send instant (paced runs). */
    public static final String TAG_END_TO_END_FROM_INTENDED = "end-to-end-from-intended";
    /** Tag of producer latency (send → acknowledgement). */
    public static final String TAG_PRODUCER = "producer";
    /** Tag of lateness (actual − intended send instant). */
    public static final String TAG_LATENESS = "lateness";

    private final PrintStream out;
    private final HistogramLogWriter writer;
    private long baseMillis = Long.MIN_VALUE;
    private int intervals;

    private HistogramLogRecorder(OutputStream stream, String comment) {
        this.out = new PrintStream(stream, false, StandardCharsets.UTF_8);
        this.writer = new HistogramLogWriter(out);
        writer.outputComment(comment);
        writer.outputLogFormatVersion();
    }

    /** @return a recorder writing a new log to {@code file} (replaced when it exists) */
    public static HistogramLogRecorder create(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new HistogramLogRecorder(new BufferedOutputStream(Files.newOutputStream(file)),
                "latency-lib histogram log, values in microseconds");
    }

    /** @return a recorder writing to {@code stream}; closing the recorder closes it */
    public static HistogramLogRecorder create(OutputStream stream) {
        return new HistogramLogRecorder(stream, "latency-lib histogram log, values in microseconds");
    }

    /**
     * Appends one interval: every distribution of {@code interval}, tagged. {@code interval} may come from a
     * recorder or from a report file ({@link ReportData#intervals()}).
     */
    public HistogramLogRecorder append(LatencyReport interval) {
        long startMillis = millis(interval.start());
        long endMillis = Math.max(startMillis, millis(interval.end()));
        if (baseMillis == Long.MIN_VALUE) {
            baseMillis = startMillis;
            writer.outputStartTime(baseMillis);
            writer.outputBaseTime(baseMillis);
            writer.setBaseTime(baseMillis);
            writer.outputLegend();
        }
        for (StageStats d : ReportData.all(interval)) {
            Histogram h = d.histogram();
            h.setTag(tag(d));
            h.setStartTimeStamp(startMillis);
            h.setEndTimeStamp(endMillis);
            writer.outputIntervalHistogram((startMillis - baseMillis) / 1000.0, (endMillis - baseMillis) / 1000.0, h,
                    1000.0);
        }
        intervals++;
        if (out.checkError()) {
            throw new UncheckedIOException(new IOException("writing the histogram log failed"));
        }
        return this;
    }

    /** @return how many intervals were appended */
    public int intervals() {
        return intervals;
    }

    /**
     * @return the tag of {@code d} in the log: its name for stages ({@code commit},
     *     {@code publish+commit}), otherwise one of the {@code TAG_} constants; never with spaces or commas
     */
    public static String tag(StageStats d) {
        if (!d.stages().isEmpty()) {
            return d.name();
        }
        return switch (d.name()) {
            case "end-to-end" -> TAG_END_TO_END;
            case "end-to-end from intended" -> TAG_END_TO_END_FROM_INTENDED;
            case "producer (send->ack)" -> TAG_PRODUCER;
            case "lateness" -> TAG_LATENESS;
            default -> d.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9+_.-]+", "-");
        };
    }

    private static long millis(Instant i) {
        return i.toEpochMilli();
    }

    @Override
    public void close() {
        out.flush();
        boolean failed = out.checkError();
        out.close();
        if (failed) {
            throw new UncheckedIOException(new IOException("writing the histogram log failed"));
        }
    }
}
