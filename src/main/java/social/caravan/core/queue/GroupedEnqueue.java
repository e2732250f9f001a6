package social.caravan.core.queue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.json.Json;

/**
 * Enqueues jobs that many requests hand in at once in shared transactions (group commit): what
 * arrives while one group is being written goes in the next, with one insert, one NOTIFY and one
 * commit for all of it. Each caller returns only once its job is committed, so an inbox still
 * answers 202 only for what is stored.
 */
public final class GroupedEnqueue implements AutoCloseable {
    /** Enough to take a burst in one commit, small enough that one statement stays quick. */
    private static final int MAX_GROUP = 500;

    private record Pending(String queue, String type, String payload, CompletableFuture<Void> stored) {}

    private final Jdbi jdbi;
    private final QueueStore store = new QueueStore();
    private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean running = true;

    public GroupedEnqueue(Jdbi jdbi) {
        this.jdbi = jdbi;
        this.writer = Thread.ofPlatform().daemon().name("grouped-enqueue").start(this::write);
    }

    /** Enqueues a job to run now, and returns once it is committed; throws what the commit threw. */
    public void enqueue(String queue, String type, Object payload) {
        if (!Queues.WEIGHTS.containsKey(queue)) {
            throw new IllegalArgumentException("unknown queue " + queue);
        }
        if (!running) {
            throw new IllegalStateException("the queue is closed");
        }
        CompletableFuture<Void> stored = new CompletableFuture<>();
        pending.add(new Pending(queue, type, payload instanceof String s ? s : Json.write(payload), stored));
        try {
            // Bounded: a caller that slipped in as the queue closed must not wait forever.
            stored.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the job was not stored within 30 seconds");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the job was being stored", e);
        }
    }

    private void write() {
        List<Pending> group = new ArrayList<>();
        while (running || !pending.isEmpty()) {
            try {
                Pending first = pending.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                pending.drainTo(group, MAX_GROUP - 1);
                writeGroup(group);
            } catch (InterruptedException e) {
                // Interrupted: what is pending is still written, then the loop ends.
                running = false;
            } finally {
                group.clear();
            }
        }
    }

    private void writeGroup(List<Pending> group) {
        try {
            jdbi.useTransaction(h -> {
                store.insertAll(h, group.stream().map(Pending::queue).toArray(String[]::new),
                        group.stream().map(Pending::type).toArray(String[]::new),
                        group.stream().map(Pending::payload).toArray(String[]::new));
                Set<String> queues = new LinkedHashSet<>();
                group.forEach(p -> queues.add(p.queue()));
                queues.forEach(q -> store.notifyWorkers(h, q));
            });
            group.forEach(p -> p.stored().complete(null));
        } catch (RuntimeException e) {
            group.forEach(p -> p.stored().completeExceptionally(e));
        }
    }

    /** Writes what is pending, then stops; later calls fail. */
    @Override
    public void close() {
        running = false;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
