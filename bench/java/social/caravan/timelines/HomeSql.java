package social.caravan.timelines;

import social.caravan.core.db.Window;

/** The benchmark's window onto the home read's SQL, which is package-private here, so it profiles the real statement. */
public final class HomeSql {
    private HomeSql() {}

    /** The first page of {@code limit}: binds :viewer, :days, :upper, :lower and :limit; answers the ids as an array. */
    public static String firstPage(int limit) {
        return FeedStore.readSql(new Window(Long.MAX_VALUE, 0, false, limit));
    }
}
