package social.caravan.notifications;

import java.time.Instant;
import java.util.Set;

/**
 * Something {@code fromAccountId} did that {@code accountId} is told about; {@code groupKey} null: a group of its own;
 * {@code severanceEventId}: what a {@code severed_relationships} notification tells of.
 */
record Notification(long id, long accountId, long fromAccountId, String type, Long statusId, String groupKey,
                    Instant createdAt, Long severanceEventId) {

    /** Whether it shows in its group when {@code groupedTypes} may group, or as a group of its own. */
    boolean groupedBy(Set<String> groupedTypes) {
        return groupKey != null && groupedTypes.contains(type);
    }

    /** The key it shows under when {@code groupedTypes} may group. */
    String groupKeyFor(Set<String> groupedTypes) {
        return groupedBy(groupedTypes) ? groupKey : ungrouped(id);
    }

    /** How a notification that groups with no other is named: clients may rely on this form. */
    static final String UNGROUPED = "ungrouped-";

    static String ungrouped(long id) {
        return UNGROUPED + id;
    }
}
