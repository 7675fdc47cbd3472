package io.latencylib.load;

import java.time.Instant;
import java.util.Objects;

/**
 * One load generator's share of a global schedule run by several processes: message {@code g} of the
 * global schedule (0-based) belongs to worker {@code g mod count}, and every worker takes the intended
 * instants of its messages from the same start instant {@code start} (T0), agreed in advance. Keys are
 * those of the global index, so the workers together send exactly the messages one process would.
 * Nothing else is shared: a Kubernetes Indexed Job, Slurm, Nomad or ssh only has to hand each process
 * its index, the count and T0.
 *
 * <p>A worker that cannot start sending by T0 (its clients took longer to open) fails its run: a late
 * worker would shift its share of the schedule and no merge could put it back.
 *
 * @param index this worker, {@code 0 <= index < count}
 * @param count how many workers share the schedule
 * @param start T0: the instant the global schedule starts (warm-up included), the same for every worker
 */
public record WorkerShare(int index, int count, Instant start) {

    public WorkerShare {
        if (count < 1) {
            throw new IllegalArgumentException("a worker share needs at least one worker: count " + count);
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("worker index must be between 0 and " + (count - 1) + ": " + index);
        }
        Objects.requireNonNull(start, "start");
    }

    /** @return true when message {@code g} of the global schedule is this worker's */
    public boolean owns(long g) {
        return g % count == index;
    }
}
