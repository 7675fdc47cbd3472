package io.latencylib.internal;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Lets the report readers ({@code io.latencylib.report}) make {@link LatencyReport}s and
 * {@link StageStats} from data read back from a file, without either class offering a public
 * constructor: {@link LatencyReport} registers its factory here when it is initialised, and only it may.
 * Holds no public field.
 */
public final class ReportAccess {

    /** Makes reports and distributions; implemented by {@link LatencyReport} alone. */
    public interface Factory {

        /** @return a report of exactly these values; {@code null} for the optional distributions and bounds absent */
        LatencyReport report(Instant start, Instant end, StageStats endToEnd, StageStats endToEndFromIntended,
                             StageStats producerLatency, StageStats lateness, List<StageStats> stages,
                             LatencyReport.Counts counts, Map<Stage, Long> clamps, Map<Stage, Duration> largestClamps,
                             LatencyReport.ClockOffsetBounds clockOffsetBounds, List<String> notes, Set<String> systems);

        /** @return a distribution over {@code histogram} (values in microseconds), which it takes over */
        StageStats stats(String name, List<Stage> stages, Histogram histogram);
    }

    private static volatile Factory factory;

    private ReportAccess() {
    }

    /**
     * Called once, by {@link LatencyReport} when it is initialised.
     *
     * @throws IllegalStateException when called from anywhere else, or a second time
     */
    public static synchronized void register(Factory f) {
        Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass();
        if (caller != LatencyReport.class || factory != null) {
            throw new IllegalStateException("only LatencyReport registers the report factory, once");
        }
        factory = f;
    }

    /** @return the factory, {@link LatencyReport} initialised first so that it registered it */
    public static Factory factory() {
        Factory f = factory;
        if (f == null) {
            try {
                Class.forName(LatencyReport.class.getName(), true, LatencyReport.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            f = factory;
        }
        return f;
    }
}
