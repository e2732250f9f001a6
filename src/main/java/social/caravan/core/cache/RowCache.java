package social.caravan.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * Values made from database rows of one kind, by id, kept while nothing changes those rows (see
 * {@link Invalidations}); bounded in size, and in age as a last resort against a lost notification.
 */
public final class RowCache<V> {
    private final Invalidations invalidations;
    private final char kind;
    private final Cache<Long, V> values;

    public RowCache(Invalidations invalidations, char kind, long maximumSize, Duration maximumAge) {
        this.invalidations = invalidations;
        this.kind = kind;
        this.values = Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(maximumAge).build();
        invalidations.register(kind, this);
    }

    public V get(long id) {
        return values.getIfPresent(id);
    }

    /** Keeps a value read after {@code readEpoch} ({@link Invalidations#epoch}), unless its row changed since. */
    public void put(long id, V value, long readEpoch) {
        if (invalidations.keepable(kind, id, readEpoch)) {
            values.put(id, value);
            // A change heard between the check and the put must still win.
            if (!invalidations.keepable(kind, id, readEpoch)) {
                values.invalidate(id);
            }
        }
    }

    /**
     * For a value that grows in place (a map filled as misses are read): after adding what was read
     * at {@code readEpoch}, drops the whole value if its row changed since, so nothing stale stays.
     */
    public void confirm(long id, long readEpoch) {
        if (!invalidations.keepable(kind, id, readEpoch)) {
            values.invalidate(id);
        }
    }

    void drop(long id) {
        values.invalidate(id);
    }

    void clear() {
        values.invalidateAll();
    }
}
