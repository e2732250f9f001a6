package social.caravan.core.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.core.db.Listener;

/**
 * Takes jobs from the queues it serves and runs them, at most {@code concurrency} at a time, each
 * on a virtual thread. A {@link Listener} wakes it when a job is enqueued (so an idle worker picks
 * work up within milliseconds); it polls every second as well. Held jobs' leases are renewed while
 * the worker lives; when it dies they expire and another worker takes them.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private static final int CLAIM_BATCH = 100;
    private static final int COMPLETE_BATCH = 500;

    public record Settings(List<String> queues, int concurrency, int leaseSeconds) {
        public Settings {
            queues = Queues.parse(queues);
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1");
            }
            if (leaseSeconds < 2) {
                throw new IllegalArgumentException("the lease must last at least 2 seconds");
            }
        }
    }

    private final Jdbi jdbi;
    private final Supplier<Connection> listenConnection;
    private final JobTypes types;
    private final Settings settings;
    private final MeterRegistry meters;
    private final String id = WorkerIds.next();
    private final QueueStore store = new QueueStore();
    private final Semaphore slots;
    private final Semaphore wake = new Semaphore(0);
    private final LinkedBlockingQueue<Long> completed = new LinkedBlockingQueue<>();
    /** Jobs claimed and not yet recorded as done, retried or dead: the only leases this worker renews. */
    private final java.util.Set<Long> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The last claim got all it asked for: a backlog waits, so claim again only when half the slots are free. */
    private boolean backlog;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Thread> loops = new ArrayList<>();
    private volatile boolean running;
    private Listener listener;

    public Worker(Jdbi jdbi, Supplier<Connection> listenConnection, JobTypes types, Settings settings,
                  MeterRegistry meters) {
        this.jdbi = jdbi;
        this.listenConnection = listenConnection;
        this.types = types;
        this.settings = settings;
        this.meters = meters;
        this.slots = new Semaphore(settings.concurrency());
    }

    public String id() {
        return id;
    }

    public Worker start() {
        running = true;
        loops.add(loop("claim", this::claimLoop));
        loops.add(loop("complete", this::completeLoop));
        listener = new Listener(listenConnection, QueueStore.CHANNEL, payloads -> wake.release());
        loops.add(loop("lease", this::leaseLoop));
        log.info("worker {} serving {} with concurrency {}", id, settings.queues(), settings.concurrency());
        return this;
    }

    private Thread loop(String name, Runnable body) {
        return Thread.ofPlatform().daemon().name("worker-" + name).start(body);
    }

    private void claimLoop() {
        while (running) {
            try {
                int free = slots.availablePermits();
                if (free == 0 || (backlog && free < Math.min(CLAIM_BATCH, (settings.concurrency() + 1) / 2))) {
                    wake.tryAcquire(100, TimeUnit.MILLISECONDS);
                    continue;
                }
                wake.drainPermits();
                int limit = Math.min(free, CLAIM_BATCH);
                List<Job> jobs = claim(limit);
                List<List<Job>> runs = batches(jobs);
                backlog = runs.size() == limit;
                if (jobs.isEmpty()) {
                    wake.tryAcquire(idleWaitMillis(), TimeUnit.MILLISECONDS);
                    continue;
                }
                for (List<Job> batch : runs) {
                    slots.acquire();
                    executor.execute(batch.size() == 1 ? () -> run(batch.getFirst()) : () -> runBatch(batch));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("claiming jobs failed, trying again in a second: {}", e.getMessage());
                sleepQuietly(1000);
            }
        }
    }

    /**
     * Fills {@code slots} free slots from the served queues, heavier queues first more often: a job
     * takes a slot, and so does a batch of a batched type, whose batch is filled up from the same
     * queue. Each claim commits on its own, so one that fails must not lose the jobs already claimed.
     */
    private List<Job> claim(int slots) {
        List<Job> claimed = new ArrayList<>();
        int used = 0;
        for (String queue : Queues.weightedOrder(settings.queues())) {
            try {
                // Until the slots are taken or the queue has no more ready jobs.
                for (int want = slots - used; want > 0; want = slots - used) {
                    List<Job> jobs = claimFrom(queue, null, want);
                    claimed.addAll(jobs);
                    claimed.addAll(fillBatches(queue, jobs));
                    used = batches(claimed).size();
                    if (jobs.size() < want) {
                        break;
                    }
                }
            } catch (RuntimeException e) {
                if (claimed.isEmpty()) {
                    throw e;
                }
                log.warn("claiming from queue {} failed, running the {} job(s) already claimed: {}", queue,
                        claimed.size(), e.getMessage());
                break;
            }
        }
        return claimed;
    }

    /** More jobs of the batched types among {@code jobs}, as many as their last batch has room for. */
    private List<Job> fillBatches(String queue, List<Job> jobs) {
        Map<String, Integer> counts = new HashMap<>();
        jobs.forEach(job -> counts.merge(job.type(), 1, Integer::sum));
        List<Job> more = new ArrayList<>();
        for (Map.Entry<String, Integer> count : counts.entrySet()) {
            int max = types.find(count.getKey()).filter(r -> r.batch() != null).map(JobTypes.Registration::maxBatch).orElse(1);
            int room = (max - count.getValue() % max) % max;
            if (room > 0) {
                more.addAll(claimFrom(queue, count.getKey(), room));
            }
        }
        return more;
    }

    private List<Job> claimFrom(String queue, String type, int limit) {
        List<Job> jobs = jdbi.withHandle(h -> store.claim(h, queue, type, id, limit, settings.leaseSeconds()));
        jobs.forEach(job -> held.add(job.id()));
        return jobs;
    }

    /** Sleeps until the next scheduled job is due, at most a second (a NOTIFY wakes it sooner). */
    private long idleWaitMillis() {
        Instant next = jdbi.withHandle(h -> store.nextRunAt(h, settings.queues())).orElse(null);
        if (next == null) {
            return 1000;
        }
        long millis = Duration.between(Instant.now(), next).toMillis();
        return Math.max(5, Math.min(1000, millis));
    }

    /** The claimed jobs as they will run: alone, or with others of a batched type (in claim order). */
    private List<List<Job>> batches(List<Job> jobs) {
        List<List<Job>> runs = new ArrayList<>();
        Map<String, List<Job>> open = new HashMap<>();
        for (Job job : jobs) {
            JobTypes.Registration registration = types.find(job.type()).orElse(null);
            if (registration == null || registration.batch() == null) {
                runs.add(List.of(job));
                continue;
            }
            List<Job> batch = open.get(job.type());
            if (batch == null || batch.size() == registration.maxBatch()) {
                batch = new ArrayList<>();
                open.put(job.type(), batch);
                runs.add(batch);
            }
            batch.add(job);
        }
        return runs;
    }

    /** Runs jobs of one batched type together; when that fails, each alone (which records each outcome). */
    private void runBatch(List<Job> jobs) {
        try {
            JobTypes.Registration registration = types.find(jobs.getFirst().type()).orElseThrow();
            try {
                registration.batch().handle(jobs);
            } catch (InterruptedException e) {
                // Stopping: the jobs stay held and are given back by stop().
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.info("a batch of {} {} jobs failed, running them one at a time: {}", jobs.size(),
                        jobs.getFirst().type(), e.getClass().getSimpleName() + ": " + e.getMessage());
                // Results are the same either way; only the cost differs, so operators see it here.
                counter("caravan_jobs_batches_split", jobs.getFirst()).increment();
                jobs.forEach(this::runOne);
                return;
            }
            for (Job job : jobs) {
                completed.add(job.id());
                counter("caravan_jobs_processed", job).increment();
            }
        } finally {
            slots.release();
            wake.release();
        }
    }

    private void run(Job job) {
        try {
            runOne(job);
        } finally {
            slots.release();
            wake.release();
        }
    }

    private void runOne(Job job) {
        try {
            JobTypes.Registration registration = types.find(job.type()).orElse(null);
            if (registration == null) {
                kill(job, "unknown job type " + job.type());
                return;
            }
            try {
                registration.handler().handle(job);
                completed.add(job.id());
                counter("caravan_jobs_processed", job).increment();
            } catch (Job.BadPayloadException e) {
                kill(job, e.getMessage());
            } catch (InterruptedException e) {
                // Stopping: the job stays held and is given back by stop().
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                if (!running && Thread.currentThread().isInterrupted()) {
                    return; // cut short by stop(): given back without using up an attempt
                }
                fail(job, registration.retry(), e);
            }
        } catch (RuntimeException e) {
            log.error("could not record the outcome of job {} ({}); its lease will expire and it will run again",
                    job.id(), job.type(), e);
        }
    }

    private void fail(Job job, RetryPolicy retry, Exception e) {
        String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (job.attempts() >= retry.maxAttempts()) {
            kill(job, "gave up after " + job.attempts() + " attempts: " + reason);
            return;
        }
        Instant next = Instant.now().plus(RetryPolicy.backoff(job.attempts()));
        try {
            jdbi.useHandle(h -> store.retryLater(h, job.id(), id, reason, next));
        } finally {
            held.remove(job.id());
        }
        counter("caravan_jobs_retried", job).increment();
        log.info("job {} ({}) failed on attempt {}, retrying at {}: {}", job.id(), job.type(), job.attempts(), next, reason);
    }

    private void kill(Job job, String reason) {
        try {
            jdbi.useHandle(h -> store.kill(h, job.id(), id, reason));
        } finally {
            held.remove(job.id());
        }
        counter("caravan_jobs_failed", job).increment();
        log.warn("job {} ({}) moved to the dead set: {}", job.id(), job.type(), reason);
    }

    private Counter counter(String name, Job job) {
        return Counter.builder(name).tag("queue", job.queue()).tag("type", job.type()).register(meters);
    }

    /** Deletes finished jobs in batches: one statement for many jobs keeps throughput high. */
    private void completeLoop() {
        List<Long> batch = new ArrayList<>();
        while (running || !completed.isEmpty()) {
            try {
                Long first = completed.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                completed.drainTo(batch, COMPLETE_BATCH - 1);
                long[] ids = batch.stream().mapToLong(Long::longValue).toArray();
                try {
                    jdbi.useHandle(h -> store.complete(h, ids, id));
                } finally {
                    // Recorded, or not: either way the lease is no longer renewed (an unrecorded job runs again).
                    batch.forEach(held::remove);
                }
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The jobs stay held; their leases run out and they run again (at least once).
                log.warn("recording {} finished jobs failed: {}", batch.size(), e.getMessage());
                batch.clear();
            }
        }
    }

    /**
     * Renews leases until every handler has returned, the grace of {@link #stop} included: a job still
     * finishing while this worker stops must not be taken, and run a second time, by another worker.
     */
    private void leaseLoop() {
        long periodMillis = settings.leaseSeconds() * 1000L / 3;
        while (!executor.isTerminated()) {
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                // stop() interrupts this loop once the handlers are done or abandoned.
                return;
            }
            try {
                long[] ids = held.stream().mapToLong(Long::longValue).toArray();
                if (ids.length > 0) {
                    jdbi.useHandle(h -> store.extendLeases(h, ids, id, settings.leaseSeconds()));
                }
            } catch (RuntimeException e) {
                log.warn("renewing job leases failed: {}", e.getMessage());
            }
        }
    }

    /**
     * Stops taking jobs, lets running ones finish for up to {@code grace}, records what finished,
     * and gives every job still held back to the queue.
     */
    public void stop(Duration grace) {
        if (!running) {
            return;
        }
        running = false;
        wake.release();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
                executor.awaitTermination(5, TimeUnit.SECONDS);
            }
            listener.close();
            for (Thread loop : loops) {
                loop.interrupt();
            }
            for (Thread loop : loops) {
                loop.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Long> left = new ArrayList<>();
        completed.drainTo(left);
        if (!left.isEmpty()) {
            jdbi.useHandle(h -> store.complete(h, left.stream().mapToLong(Long::longValue).toArray(), id));
        }
        int released = jdbi.withHandle(h -> store.release(h, id));
        log.info("worker {} stopped; {} unfinished job(s) given back to the queue", id, released);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(25));
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
