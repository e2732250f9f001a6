package social.caravan.core.queue;

import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enqueues recurring jobs. Every worker process runs one, but only the holder of the cluster-wide
 * {@code scheduler} lease acts, and each period is claimed by one transaction that advances
 * next_run_at, so a period is enqueued exactly once however many workers run. When the holder dies,
 * its lease expires within {@link #LEASE_SECONDS} and another process takes over.
 */
public final class RecurringScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RecurringScheduler.class);
    static final String LEASE = "scheduler";
    static final int LEASE_SECONDS = 10;

    private final Jdbi jdbi;
    private final JobQueue queue;
    private final List<JobTypes.Recurring> recurring;
    private final String holder = WorkerIds.next();
    private final QueueStore store = new QueueStore();
    private volatile boolean running;
    private Thread thread;

    public RecurringScheduler(Jdbi jdbi, JobQueue queue, JobTypes types) {
        this.jdbi = jdbi;
        this.queue = queue;
        this.recurring = types.recurring();
    }

    public RecurringScheduler start() {
        jdbi.useTransaction(h -> {
            for (JobTypes.Recurring r : recurring) {
                store.defineRecurring(h, r.name(), r.queue(), r.type(), r.every().toSeconds());
            }
        });
        running = true;
        thread = Thread.ofPlatform().daemon().name("recurring-scheduler").start(this::loop);
        return this;
    }

    private void loop() {
        while (running) {
            try {
                tick();
            } catch (RuntimeException e) {
                log.warn("scheduling recurring jobs failed: {}", e.getMessage());
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One pass: keep or take the lease, then enqueue every due period in the same transaction as its claim. */
    void tick() {
        jdbi.useTransaction(h -> {
            if (!store.acquireLease(h, LEASE, holder, LEASE_SECONDS)) {
                return;
            }
            // Only jobs this version defines: a recurring job removed from the code stops being enqueued.
            for (QueueStore.DuePeriod due : store.claimDuePeriods(h, recurring.stream().map(JobTypes.Recurring::name).toList())) {
                queue.enqueue(h, due.queue(), due.type(), "{}", null,
                        "recurring:" + due.name() + ":" + due.period().toEpochMilli());
            }
        });
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            jdbi.useHandle(h -> store.dropLease(h, LEASE, holder));
        } catch (RuntimeException e) {
            log.debug("dropping the scheduler lease: {}", e.getMessage());
        }
    }
}
