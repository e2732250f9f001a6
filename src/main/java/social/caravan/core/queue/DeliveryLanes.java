package social.caravan.core.queue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Outbound deliveries queued per destination host. A host's lane is worked by one worker at a
 * time, in order; when the host fails, only its lane waits (backoff per host), so a dead or slow
 * server never holds up deliveries to healthy ones. Deliveries older than {@link #HORIZON} are
 * dropped when their host fails again: with the backoff curve that is about 16 attempts over two
 * to three days, as Mastodon retries. A host failing on {@link #UNAVAILABLE_AFTER_DAYS} distinct
 * days is marked unavailable (new deliveries to it are dropped) until anything succeeds with it or
 * {@link #markAvailable} is called (federation does, when the host sends us something).
 */
public final class DeliveryLanes {
    public static final Duration HORIZON = Duration.ofHours(60);
    public static final int UNAVAILABLE_AFTER_DAYS = 7;
    /** The backoff stops growing here: about 18 hours between tries of a long-dead host. */
    static final int MAX_BACKOFF_STEP = 16;

    private final Jdbi jdbi;
    private final LaneStore store = new LaneStore();

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
