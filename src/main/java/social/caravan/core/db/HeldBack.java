package social.caravan.core.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;

/**
 * Work a transaction asks for that waits for the end of a larger piece of work in the same
 * transaction, by handle: a batch that stores many statuses takes the rows every one of them
 * touches (an author's counts, a reader's feed) once, at its end, in one order.
 */
public final class HeldBack<T> {
    private final Map<Handle, List<T>> open = new ConcurrentHashMap<>();

    /** Runs {@code work} in the caller's transaction; returns what it held back, in the order it asked. */
    public List<T> collect(Handle h, Runnable work) {
        List<T> later = new ArrayList<>();
        open.put(h, later);
        try {
            work.run();
        } finally {
            open.remove(h);
        }
        return later;
    }

    /** Holds {@code item} back when the transaction is inside {@link #collect}; false: do it now. */
    public boolean hold(Handle h, T item) {
        List<T> later = open.get(h);
        if (later == null) {
            return false;
        }
        later.add(item);
        return true;
    }
}
