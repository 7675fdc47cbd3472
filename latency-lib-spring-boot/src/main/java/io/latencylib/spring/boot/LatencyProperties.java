package io.latencylib.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the latency auto-configuration, under {@code latency.*}.
 *
 * <pre>
 * latency.enabled=true                              # false: nothing is wrapped, no bean is made
 * latency.destinations.include=orders,payments-*    # default: every destination
 * latency.destinations.exclude=*-retry,*.DLT
 * latency.max-destinations=100                      # memory bound: further destinations are not measured
 * latency.slos=p99 &lt; 50ms,lost == 0               # evaluated per destination by the endpoint and gauge
 * latency.meters.percentile-histogram=false         # about 70 more series per timer
 * latency.meters.slo-buckets=10ms,50ms              # one more series per boundary and timer
 * latency.recorder.evict-after=60s
 * latency.recorder.join-capacity=8192
 * latency.recorder.remote-producer-memory=4MB
 * latency.pulsar.wrap-listener-consumers=false      # true: Pulsar catch-up and fetch apart (see the README)
 * </pre>
 */
@ConfigurationProperties("latency")
public class LatencyProperties {

    /** Whether producers and consumers made by Spring's factories are measured. */
    private boolean enabled = true;

    /**
     * Most destinations measured, each with a recorder of its own (histograms of 2-6 MiB, plus the join
     * table of each producer that sends to it); messages to further destinations pass unmeasured and the
     * first one is logged.
     */
    private int maxDestinations = 100;

    /** Objectives evaluated on each destination's report (syntax of {@code io.latencylib.slo.Slo}). */
    private List<String> slos = new ArrayList<>();

    private final Destinations destinations = new Destinations();
    private final Meters meters = new Meters();
    private final Recorder recorder = new Recorder();
    private final Pulsar pulsar = new Pulsar();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getMaxDestinations() {
        return maxDestinations;
    }

    public void setMaxDestinations(int maxDestinations) {
        this.maxDestinations = maxDestinations;
    }

    public List<String> getSlos() {
        return slos;
    }

    public void setSlos(List<String> slos) {
        this.slos = slos;
    }

    public Destinations getDestinations() {
        return destinations;
    }

    public Meters getMeters() {
        return meters;
    }

    public Recorder getRecorder() {
        return recorder;
    }

    public Pulsar getPulsar() {
        return pulsar;
    }

    /** Which destinations (topics, queues) are measured: names or {@code *} patterns. */
    public static class Destinations {
        /** Destinations measured; empty: all. */
        private List<String> include = new ArrayList<>();
        /** Destinations never measured (wins over include). */
        private List<String> exclude = new ArrayList<>();

        public List<String> getInclude() {
            return include;
        }

        public void setInclude(List<String> include) {
            this.include = include;
        }

        public List<String> getExclude() {
            return exclude;
        }

        public void setExclude(List<String> exclude) {
            this.exclude = exclude;
        }
    }

    /** Micrometer meters of each destination ({@code io.latencylib.micrometer.LatencyMeters}). */
    public static class Meters {
        /** Publish a percentile histogram for every timer (about 70 more time series each). */
        private boolean percentileHistogram;
        /** SLO bucket boundaries for every timer (one more time series each). */
        private List<Duration> sloBuckets = new ArrayList<>();

        public boolean isPercentileHistogram() {
            return percentileHistogram;
        }

        public void setPercentileHistogram(boolean percentileHistogram) {
            this.percentileHistogram = percentileHistogram;
        }

        public List<Duration> getSloBuckets() {
            return sloBuckets;
        }

        public void setSloBuckets(List<Duration> sloBuckets) {
            this.sloBuckets = sloBuckets;
        }
    }

    /** Settings of each destination's {@code LatencyRecorder}. */
    public static class Recorder {
        /** When an unmatched half is given up (a message not received by then is lost). */
        private Duration evictAfter = Duration.ofSeconds(60);
        /** Join slots per producer and destination (88 bytes each). */
        private int joinCapacity = 8192;
        /** Memory for producers of other processes, per destination. */
        private DataSize remoteProducerMemory = DataSize.ofMegabytes(4);

        public Duration getEvictAfter() {
            return evictAfter;
        }

        public void setEvictAfter(Duration evictAfter) {
            this.evictAfter = evictAfter;
        }

        public int getJoinCapacity() {
            return joinCapacity;
        }

        public void setJoinCapacity(int joinCapacity) {
            this.joinCapacity = joinCapacity;
        }

        public DataSize getRemoteProducerMemory() {
            return remoteProducerMemory;
        }

        public void setRemoteProducerMemory(DataSize remoteProducerMemory) {
            this.remoteProducerMemory = remoteProducerMemory;
        }
    }

    /** Spring for Apache Pulsar. */
    public static class Pulsar {
        /**
         * Wrap each consumer the {@code PulsarConsumerFactory} creates for one topic (catch-up and fetch
         * apart) instead of adding a consumer interceptor ({@code catch-up+fetch}). Off by default: the
         * listener container then logs an ERROR at start ("Unable to determine default subscription type
         * from consumer") and takes the subscription type from its properties, not from the consumer.
         */
        private boolean wrapListenerConsumers;

        public boolean isWrapListenerConsumers() {
            return wrapListenerConsumers;
        }

        public void setWrapListenerConsumers(boolean wrapListenerConsumers) {
            this.wrapListenerConsumers = wrapListenerConsumers;
        }
    }
}
