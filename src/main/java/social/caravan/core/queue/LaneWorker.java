package social.caravan.core.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.core.db.Listener;

/**
 * Works delivery lanes: claims up to {@code concurrency} hosts at once and sends each host's
 * deliveries in order on a virtual thread of its own. A failure stops that lane only.
 */
public final class LaneWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LaneWorker.class);
    private static final int BATCH = 20;
    private static final int LEASE_SECONDS = 60;

    private final Jdbi jdbi;
    private final Sender sender;
    private final int concurrency;
    private final int leaseSeconds;
    private final String id = WorkerIds.next();
    private final LaneStore store = new LaneStore();
    private final Semaphore slots;
    private final Semaphore wake = new Semaphore(0);
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Counter delivered;
    private final Counter rejected;
    private final Counter failed;
    private final Counter expired;
    private final Supplier<Connection> listenConnection;
    private volatile boolean running;
    private Listener listener;
    private Thread claimer;
    private Thread renewer;

    public LaneWorker(Jdbi jdbi, Supplier<Connection> listenConnection, Sender sender, int concurrency,
                      MeterRegistry meters) {
        this(jdbi, listenConnection, sender, concurrency, meters, LEASE_SECONDS);
    }

    /** With a lease of {@code leaseSeconds} on each claimed lane (tests shorten it). */
    LaneWorker(Jdbi jdbi, Supplier<Connection> listenConnection, Sender sender, int concurrency,
               MeterRegistry meters, int leaseSeconds) {
        if (leaseSeconds < 2) {
            throw new IllegalArgumentException("the lease must last at least 2 seconds");
        }
        this.leaseSeconds = leaseSeconds;
        this.jdbi = jdbi;
        this.listenConnection = listenConnection;
        this.sender = sender;
        this.concurrency = concurrency;
        this.slots = new Semaphore(concurrency);
        this.delivered = Counter.builder("caravan_deliveries_delivered").register(meters);
        this.rejected = Counter.builder("caravan_deliveries_rejected").register(meters);
        this.failed = Counter.builder("caravan_deliveries_failed_attempts").register(meters);
        this.expired = Counter.builder("caravan_deliveries_expired").register(meters);
    }

    public LaneWorker start() {
        running = true;
        listener = new Listener(listenConnection, LaneStore.CHANNEL, payloads -> wake.release());
        claimer = Thread.ofPlatform().daemon().name("lane-claim").start(this::claimLoop);
        renewer = Thread.ofPlatform().daemon().name("lane-lease").start(this::leaseLoop);
        return this;
    }

    /**
     * Renews the claims of every lane this worker holds, a third of a lease at a time, so a lane
     * worked longer than a lease (a slow host, a batch of requests each near its timeout) is never
     * claimed a second time while this worker lives. It runs until the worker has stopped.
     */
    private void leaseLoop() {
        long periodMillis = leaseSeconds * 1000L / 3;
        while (true) {
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
            try {
                jdbi.useHandle(h -> store.extendAll(h, id, leaseSeconds));
            } catch (RuntimeException e) {
                log.warn("renewing delivery lane claims failed: {}", e.getMessage());
            }
        }
    }

    private void claimLoop() {
        while (running) {
            try {
                int free = slots.availablePermits();
                if (free == 0) {
                    wake.tryAcquire(100, TimeUnit.MILLISECONDS);
                    continue;
                }
                wake.drainPermits();
                List<String> hosts = jdbi.withHandle(h -> store.claim(h, id, free, leaseSeconds));
                if (hosts.isEmpty()) {
                    wake.tryAcquire(1000, TimeUnit.MILLISECONDS);
                    continue;
                }
                for (String host : hosts) {
                    slots.acquire();
                    executor.execute(() -> work(host));
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("claiming delivery lanes failed, trying again in a second: {}", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Sends the lane's deliveries in order until it is empty, the host fails, or the worker stops. */
    private void work(String host) {
        try {
            while (running) {
                List<Delivery> batch = jdbi.withHandle(h -> store.next(h, host, BATCH));
                if (batch.isEmpty()) {
                    return;
                }
                for (Delivery delivery : batch) {
                    if (!running) {
                        return;
                    }
                    Sender.Outcome outcome = sender.send(delivery);
                    if (outcome == Sender.Outcome.RETRY) {
                        // A send cut short by our own shutdown says nothing about the destination.
                        if (running && !Thread.currentThread().isInterrupted()) {
                            hostFailed(host);
                        }
                        return;
                    }
                    jdbi.useTransaction(h -> {
                        store.delete(h, delivery.id());
                        store.succeeded(h, host);
                    });
                    (outcome == Sender.Outcome.DELIVERED ? delivered : rejected).increment();
                }
                jdbi.useHandle(h -> store.extend(h, host, id, leaseSeconds));
            }
        } catch (RuntimeException e) {
            log.warn("delivery lane {} stopped on an error; it is released and tried again on a later pass: {}", host, e.getMessage());
        } finally {
            try {
                jdbi.useHandle(h -> store.release(h, host, id));
            } catch (RuntimeException e) {
                log.debug("releasing lane {}: {}", host, e.getMessage());
            }
            slots.release();
            wake.release();
        }
    }

    private void hostFailed(String host) {
        failed.increment();
        int dropped = jdbi.inTransaction(h -> {
            int failures = store.failures(h, host) + 1;
            Duration wait = RetryPolicy.backoff(Math.min(failures, DeliveryLanes.MAX_BACKOFF_STEP));
            store.failed(h, host, Instant.now().plus(wait), DeliveryLanes.UNAVAILABLE_AFTER_DAYS);
            return store.expire(h, host, Instant.now().minus(DeliveryLanes.HORIZON));
        });
        if (dropped > 0) {
            expired.increment(dropped);
            log.info("dropped {} deliveries to {} after the retry horizon", dropped, host);
        }
    }

    @Override
    public void close() {
        running = false;
        wake.release();
        if (listener != null) {
            listener.close();
        }
        if (claimer != null) {
            claimer.interrupt();
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(20, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (renewer != null) {
            renewer.interrupt();
        }
        log.info("lane worker {} stopped ({} lanes at a time)", id, concurrency);
    }
}
