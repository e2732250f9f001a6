package social.caravan.core.queue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Outbound deliveries queued per destination host. A host's lane is worked by one worker at a
 * time, in order; when the host fails, only its lane waits (backoff per host), so a dead or slow
 * server never holds up deliveries to healthy ones. Deliveries older than {@link #HORIZON} are
 * dropped when their host fails again: with the backoff curve that is about 16 attempts over two
 * to three days, as Mastodon retries. A host failing on {@link #UNAVAILABLE_AFTER_DAYS} distinct
 * days is marked unavailable (new deliveries to it are dropped) until anything succeeds with it or
 * {@link #markAvailable} is called (federation does, through {@link #heardFrom}, when the host sends us something).
 */
public final class DeliveryLanes {
    public static final Duration HORIZON = Duration.ofHours(60);
    public static final int UNAVAILABLE_AFTER_DAYS = 7;
    /** The backoff stops growing here: about 18 hours between tries of a long-dead host. */
    static final int MAX_BACKOFF_STEP = 16;
    /** How long this process trusts its copy of the unavailable hosts. */
    static final Duration UNAVAILABLE_READ_EVERY = Duration.ofMinutes(1);

    private final Jdbi jdbi;
    private final LaneStore store = new LaneStore();
    private volatile Set<String> unavailable = ConcurrentHashMap.newKeySet();
    private final AtomicLong unavailableReadAt = new AtomicLong(System.nanoTime() - UNAVAILABLE_READ_EVERY.toNanos());

    public DeliveryLanes(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Queues a POST of {@code payload} to {@code target} in the caller's transaction; false when its host is unavailable. */
    public boolean enqueue(Handle h, String target, String payload) {
        return store.insert(h, host(target), target, payload);
    }

    public boolean enqueue(String target, String payload) {
        return jdbi.inTransaction(h -> enqueue(h, target, payload));
    }

    /** Queues the same payload to every target, in one transaction; returns how many were queued. */
    public int enqueueAll(java.util.Collection<String> targets, String payload) {
        return jdbi.inTransaction(h -> {
            int queued = 0;
            for (String target : targets) {
                if (enqueue(h, target, payload)) {
                    queued++;
                }
            }
            return queued;
        });
    }

    public void markAvailable(String host) {
        jdbi.useHandle(h -> store.markAvailable(h, host));
    }

    /**
     * Something came from {@code url}'s host (a verified inbox POST): if the host is marked unavailable, it is
     * available again. Asked for every inbound activity, so it answers from this process's copy of the
     * unavailable hosts (read again at most once a {@link #UNAVAILABLE_READ_EVERY}) and writes only for such a host.
     */
    public void heardFrom(String url) {
        long readAt = unavailableReadAt.get();
        long now = System.nanoTime();
        if (now - readAt >= UNAVAILABLE_READ_EVERY.toNanos() && unavailableReadAt.compareAndSet(readAt, now)) {
            Set<String> read = ConcurrentHashMap.newKeySet();
            read.addAll(jdbi.withHandle(store::unavailableHosts));
            unavailable = read;
        }
        if (url == null) {
            return;
        }
        String host;
        try {
            host = host(url);
        } catch (IllegalArgumentException e) {
            return;
        }
        if (unavailable.remove(host)) {
            markAvailable(host);
        }
    }

    /** The lane a target belongs to: its host, with the port when one is given. */
    public static String host(String target) {
        URI uri = URI.create(target);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("not an absolute URL: " + target);
        }
        return uri.getPort() == -1 ? uri.getHost().toLowerCase() : uri.getHost().toLowerCase() + ":" + uri.getPort();
    }

    public record DestinationStats(String host, long backlog, int failures, Instant failingSince, boolean unavailable,
                                   Instant nextAttemptAt) {}

    public List<DestinationStats> stats() {
        return jdbi.withHandle(store::stats).stream()
                .map(r -> new DestinationStats(r.host(), r.backlog(), r.failures(), r.failingSince(), r.unavailable(),
                        r.nextAttemptAt()))
                .toList();
    }
}
