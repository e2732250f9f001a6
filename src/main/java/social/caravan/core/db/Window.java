package social.caravan.core.db;

import java.util.List;
import org.jdbi.v3.core.statement.Query;
import social.caravan.core.http.Page;

/**
 * A page of a listing as SQL bounds on its paging key: below {@code max_id}, above {@code min_id}
 * or {@code since_id}. Paging forward ({@code min_id}) reads the oldest keys after the cursor first,
 * as Mastodon does, and the rows are turned back to newest first.
 */
public record Window(long upper, long lower, boolean forward, int limit) {

    public static Window of(Page page) {
        long lower = page.minId().isPresent() ? page.minId().getAsLong() : page.sinceId().orElse(0);
        return new Window(page.maxId().orElse(Long.MAX_VALUE), lower, page.forward(), page.limit());
    }

    /** Every row at once, newest first: Mastodon's {@code limit=0} on the listings that allow it. */
    public static Window all() {
        return new Window(Long.MAX_VALUE, 0, false, Integer.MAX_VALUE);
    }

    /** The bounds on {@code key}, binding :upper and :lower. */
    public String where(String key) {
        return key + " < :upper AND " + key + " > :lower";
    }

    /** ORDER BY and LIMIT on {@code key}, binding :limit. */
    public String order(String key) {
        return " ORDER BY " + key + (forward ? " ASC" : " DESC") + " LIMIT :limit";
    }

    public Query bind(Query query) {
        return query.bind("upper", upper).bind("lower", lower).bind("limit", limit);
    }

    public <T> List<T> newestFirst(List<T> rows) {
        return forward ? rows.reversed() : rows;
    }
}
