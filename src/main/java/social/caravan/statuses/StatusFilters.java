package social.caravan.statuses;

import java.util.List;

/**
 * The viewer's own filters, applied to statuses after they are rendered: the filters room
 * implements it and {@code App} hands it to the rooms that render statuses, so statuses does not
 * depend on filters.
 */
public interface StatusFilters {
    /** Where statuses are shown, as filters name it; {@code NONE} for places without a filter context. */
    enum Context {
        HOME, NOTIFICATIONS, PUBLIC, THREAD, ACCOUNT, NONE;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The views with {@code filtered} set for the viewer (0 when signed out), leaving out those a
     * {@code hide} filter of this context matches. Order is kept.
     */
    List<StatusJson.StatusView> apply(long viewer, Context context, List<StatusJson.StatusView> views);

    /** One status shown on its own: marked, never left out. */
    default StatusJson.StatusView apply(long viewer, StatusJson.StatusView view) {
        return apply(viewer, Context.NONE, List.of(view)).getFirst();
    }
}
