package social.caravan.notifications;

import org.jdbi.v3.core.Handle;

/** SQL for the notifications table. */
final class NotificationStore {

    /**
     * Adds a notification unless the recipient blocks the sender or mutes them with notifications
     * hidden (an expired mute no longer hides anything).
     */
    void insert(Handle h, long recipientId, long fromId, String type, Long statusId, String groupKey) {
        h.createUpdate("""
                        INSERT INTO notifications (account_id, from_account_id, type, status_id, group_key)
                        SELECT :recipient, :from, :type, :status, :groupKey
                         WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = :recipient AND b.target_account_id = :from)
                           AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = :recipient AND m.target_account_id = :from
                                            AND m.hide_notifications AND (m.expires_at IS NULL OR m.expires_at > now()))""")
                .bind("recipient", recipientId)
                .bind("from", fromId)
                .bind("type", type)
                .bind("status", statusId)
                .bind("groupKey", groupKey)
                .execute();
    }
}
