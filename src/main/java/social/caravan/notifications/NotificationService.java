package social.caravan.notifications;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Notifications: made inside the transaction of the action that causes them, read by the API. */
public final class NotificationService {
    /** Mastodon's notification types that Caravan makes. */
    public static final String MENTION = "mention";
    public static final String STATUS = "status";
    public static final String REBLOG = "reblog";
    public static final String FOLLOW = "follow";
    public static final String FOLLOW_REQUEST = "follow_request";
    public static final String FAVOURITE = "favourite";
    public static final String UPDATE = "update";

    private final Jdbi jdbi;
    private final NotificationStore store = new NotificationStore();

    public NotificationService(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Notifies {@code recipient} of what {@code from} did, in the caller's transaction. Nobody is
     * notified of their own actions. Favourites and boosts of one status group together, as in
     * Mastodon's grouped notifications; every other notification is a group of its own.
     */
    public void notify(Handle h, long recipient, long from, String type, Long statusId) {
        if (recipient == from) {
            return;
        }
        String groupKey = (type.equals(FAVOURITE) || type.equals(REBLOG)) && statusId != null
                ? type + "-" + statusId
                : null;
        store.insert(h, recipient, from, type, statusId, groupKey);
    }
}
