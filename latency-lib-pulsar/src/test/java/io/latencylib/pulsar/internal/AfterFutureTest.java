package io.latencylib.pulsar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The future the wrappers hand out: completed as the client's, after the library recorded; cancellation goes back. */
class AfterFutureTest {

    @Test
    void completesAsTheSourceAfterTheRecordingRan() {
        List<String> order = new ArrayList<>();
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> result = WrappingHandlers.after(source, (v, e) -> order.add("recorded " + v));
        result.thenAccept(v -> order.add("application " + v));
        source.complete("id");
        assertThat(result.join()).isEqualTo("id");
        assertThat(order).containsExactly("recorded id", "application id");

        CompletableFuture<String> failing = new CompletableFuture<>();
        CompletableFuture<String> failed = WrappingHandlers.after(failing, (v, e) -> order.add("recorded " + e.getMessage()));
        IllegalStateException boom = new IllegalStateException("boom");
        failing.completeExceptionally(boom);
        assertThat(failed).isCompletedExceptionally();
        assertThat(failed.handle((v, e) -> e).join()).isSameAs(boom);
        assertThat(order).endsWith("recorded boom");
    }

    @Test
    void cancellingTheResultCancelsTheSource() {
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> result = WrappingHandlers.after(source, (v, e) -> { });
        assertThat(result.cancel(true)).isTrue();
        assertThat(source).isCancelled();

        CompletableFuture<String> source2 = new CompletableFuture<>();
        CompletableFuture<String> result2 = WrappingHandlers.after(source2, (v, e) -> { });
        result2.completeExceptionally(new CancellationException());
        assertThat(source2).isCancelled();

        CompletableFuture<String> source3 = new CompletableFuture<>();
        CompletableFuture<String> result3 = WrappingHandlers.after(source3, (v, e) -> { });
        result3.completeExceptionally(new IllegalStateException("not a cancellation"));
        assertThat(source3).isNotDone();
    }
}
