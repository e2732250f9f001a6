package social.caravan.core.queue;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.json.Json;

/**
 * Putting work on the queue, and looking at it. Services enqueue inside their own transaction
 * ({@link #enqueue(Handle, String, String, Object, Instant, String)}), so a job exists exactly when
 * the change that asked for it was committed.
 */
public final class JobQueue {
    private final Jdbi jdbi;
    private final QueueStore store = new QueueStore();

    public JobQueue(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Enqueues in the caller's transaction. {@code runAt} null means now; a {@code uniqueKey} that a
     * live (not dead) job already has makes this a no-op. Returns whether a job was added.
     */
    public boolean enqueue(Handle h, String queue, String type, Object payload, Instant runAt, String uniqueKey) {
        if (!Queues.WEIGHTS.containsKey(queue)) {
            throw new IllegalArgumentException("unknown queue " + queue);
        }
        String json = payload instanceof String s ? s : Json.write(payload);
        boolean added = store.insert(h, queue, type, json, runAt, uniqueKey);
        if (added && (runAt == null || !runAt.isAfter(Instant.now()))) {
            store.notifyWorkers(h, queue);
        }
        return added;
    }

    public boolean enqueue(Handle h, String queue, String type, Object payload) {
        return enqueue(h, queue, type, payload, null, null);
    }

    /** Enqueues in a transaction of its own. */
    public boolean enqueue(String queue, String type, Object payload, Instant runAt, String uniqueKey) {
        return jdbi.inTransaction(h -> enqueue(h, queue, type, payload, runAt, uniqueKey));
    }

    public record QueueStats(String queue, long ready, long scheduled, long running, long dead,
                             double oldestReadySeconds) {}

    /** Every known queue, with zeros for the empty ones. */
    public List<QueueStats> stats() {
        List<QueueStore.QueueCounts> counts = jdbi.withHandle(store::counts);
        return Queues.all().stream().map(name -> counts.stream().filter(c -> c.queue().equals(name)).findFirst()
                .map(c -> new QueueStats(name, c.ready(), c.scheduled(), c.running(), c.dead(), c.oldestReadySeconds()))
                .orElse(new QueueStats(name, 0, 0, 0, 0, 0))).toList();
    }

    public record DeadJob(long id, String queue, String type, String payload, int attempts, String reason,
                          Instant deadAt) {}

    public List<DeadJob> dead(int limit) {
        return jdbi.withHandle(h -> store.dead(h, limit)).stream()
                .map(d -> new DeadJob(d.id(), d.queue(), d.type(), d.payload(), d.attempts(), d.lastError(), d.deadAt()))
                .toList();
    }

    /** Puts these dead jobs back to be tried afresh; returns how many. */
    public int retryDead(long... ids) {
        return jdbi.withHandle(h -> store.retryDead(h, ids, false));
    }

    public int retryAllDead() {
        return jdbi.withHandle(h -> store.retryDead(h, new long[0], true));
    }

    /** Deletes these dead jobs; returns how many. */
    public int discardDead(long... ids) {
        return jdbi.withHandle(h -> store.discardDead(h, ids, false));
    }

    public int discardAllDead() {
        return jdbi.withHandle(h -> store.discardDead(h, new long[0], true));
    }

    public int pruneDead(Instant before) {
        return jdbi.withHandle(h -> store.pruneDead(h, before));
    }
}
