package io.latencylib.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latencylib.LatencyReport;
import io.latencylib.Stage;
import io.latencylib.StageStats;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** LatencyReports.merge: the reports of several load generators of one run, added exactly. */
class ReportMergeTest {

    @Test
    void addsHistogramsAndCountsExactly() {
        LatencyReport a = SyntheticRun.run(new SyntheticRun.Options().seed(1)).report();
        LatencyReport b = SyntheticRun.run(new SyntheticRun.Options().seed(2).slowerCommit(3)).report();
        LatencyReport m = LatencyReports.merge(List.of(a, b));

        Histogram e2e = a.endToEnd().histogram();
        e2e.add(b.endToEnd().histogram());
        assertThat(m.endToEnd().histogram()).isEqualTo(e2e);
        assertThat(m.endToEnd().count()).isEqualTo(a.endToEnd().count() + b.endToEnd().count());
        for (Stage s : List.of(Stage.PRODUCE, Stage.COMMIT, Stage.FETCH)) {
            StageStats sa = a.stage(s).orElseThrow();
            Histogram sum = sa.histogram();
            sum.add(b.stage(s).orElseThrow().histogram());
            assertThat(m.stage(s).orElseThrow().histogram()).as(s.label()).isEqualTo(sum);
        }
        assertThat(m.endToEndFromIntended().orElseThrow().count())
                .isEqualTo(a.endToEndFromIntended().orElseThrow().count() + b.endToEndFromIntended().orElseThrow().count());
        assertThat(m.counts().sent()).isEqualTo(a.counts().sent() + b.counts().sent());
        assertThat(m.counts().received()).isEqualTo(a.counts().received() + b.counts().received());
        assertThat(m.start()).isEqualTo(a.start().isBefore(b.start()) ? a.start() : b.start());
    }

    @Test
    void refusesReportsThatSplitTheStagesDifferently() {
        LatencyReport appendTime = SyntheticRun.run(new SyntheticRun.Options()).report();
        LatencyReport createTime = SyntheticRun.run(new SyntheticRun.Options().createTime()).report();
        assertThatThrownBy(() -> LatencyReports.merge(List.of(appendTime, createTime)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("split the stages differently");
        assertThatThrownBy(() -> LatencyReports.merge(List.of())).hasMessageContaining("nothing to merge");
    }
}
