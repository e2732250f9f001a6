package social.caravan.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.core.db.Listener;

/**
 * Keeps this process's {@link RowCache}s true to the database. Triggers (migration V009) send
 * {@code NOTIFY caravan_cache, '<kind>:<id>'} whenever a cached row changes, in any process; the
 * listener here drops that row from the caches of that kind. Caches only keep values while the
 * listener is up (a notification sent while it is down would be lost), and a value read before a
 * change was heard is never kept after it: every change moves an epoch on, and a value may be kept
 * only if its row did not change after the epoch its reader saw before reading.
 */
public final class Invalidations implements AutoCloseable {
    public static final String CHANNEL = "caravan_cache";
    private static final Logger log = LoggerFactory.getLogger(Invalidations.class);

    private final AtomicLong epoch = new AtomicLong();
    /** The epoch of each recent change; a reader slower than this is unheard of, and its value is dropped by the TTL anyway. */
    private final Cache<String, Long> changedAt = Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1)).build();
    private final Map<Character, List<RowCache<?>>> caches = new ConcurrentHashMap<>();
    private volatile long listeningSince = Long.MAX_VALUE;
    private Listener listener;

    /** Starts listening; until it does, caches hold nothing. */
    public void start(Supplier<Connection> connections) {
        listener = new Listener(connections, CHANNEL, this::heard, this::listening);
    }

    /** Whether changes are being heard, and so whether caches keep anything. */
    public boolean listening() {
        return listeningSince != Long.MAX_VALUE;
    }

    void register(char kind, RowCache<?> cache) {
        caches.computeIfAbsent(kind, k -> new CopyOnWriteArrayList<>()).add(cache);
    }

    /** What a reader notes before reading the rows it may cache. */
    public long epoch() {
        return epoch.get();
    }

    /** Whether a value of this row read at {@code readEpoch} may be kept. */
    boolean keepable(char kind, long id, long readEpoch) {
        if (readEpoch < listeningSince) {
            return false;
        }
        Long changed = changedAt.getIfPresent(kind + ":" + id);
        return changed == null || changed <= readEpoch;
    }

    /** Drops a row everywhere in this process, as a notification does; writers call it before they commit. */
    public void changed(char kind, long id) {
        changedAt.put(kind + ":" + id, epoch.incrementAndGet());
        for (RowCache<?> cache : caches.getOrDefault(kind, List.of())) {
            cache.drop(id);
        }
    }

    /**
     * Drops a row as soon as the caller's transaction commits, so this process reads its own writes
     * at once; other processes hear of it from the triggers.
     */
    public void changedOnCommit(Handle h, char kind, long id) {
        if (h.isInTransaction()) {
            h.afterCommit(() -> changed(kind, id));
        } else {
            changed(kind, id);
        }
    }

    private void heard(List<String> payloads) {
        for (String payload : payloads) {
            int colon = payload.indexOf(':');
            if (colon != 1) {
                log.warn("ignoring a {} notification that names no row: {}", CHANNEL, payload);
                continue;
            }
            try {
                changed(payload.charAt(0), Long.parseLong(payload.substring(2)));
            } catch (NumberFormatException e) {
                log.warn("ignoring a {} notification that names no row: {}", CHANNEL, payload);
            }
        }
    }

    /** Whatever happened while nobody listened is unknown: start again from empty caches. */
    private void listening(boolean up) {
        long now = epoch.incrementAndGet();
        listeningSince = up ? now : Long.MAX_VALUE;
        caches.values().forEach(list -> list.forEach(RowCache::clear));
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
    }
}
