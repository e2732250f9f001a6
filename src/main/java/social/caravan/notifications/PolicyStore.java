package social.caravan.notifications;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import social.caravan.core.db.Window;

/** SQL for notification policies, notification requests and the senders a recipient let through. */
final class PolicyStore {
    /** Mastodon counts a request's notifications up to this many (MAX_MEANINGFUL_COUNT), and requests too. */
    static final int MAX_MEANINGFUL_COUNT = 100;

    /**
     * How many of the live filtered mentions of request {@code r} there are, up to 100: a request
     * shows while it counts one, as Mastodon destroys it with its last notification.
     */
    private static final String COUNTED = """
            SELECT r.id, r.from_account_id, r.last_status_id, r.created_at, r.updated_at, c.total
              FROM notification_requests r
             CROSS JOIN LATERAL (
                   SELECT count(*) AS total FROM (
                       SELECT 1 FROM notifications n
                        WHERE n.account_id = r.account_id AND n.from_account_id = r.from_account_id
                          AND n.filtered AND n.type = 'mention' AND\s""" + NotificationStore.LIVE + "\n"
            + "LIMIT " + MAX_MEANINGFUL_COUNT + """
                   ) live) c
             WHERE r.account_id = :viewer AND c.total > 0""";

    Optional<NotificationPolicy> policy(Handle h, long accountId) {
        return h.createQuery("""
                        SELECT for_not_following, for_not_followers, for_new_accounts, for_private_mentions,
                               for_limited_accounts
                          FROM notification_policies WHERE account_id = :account""")
                .bind("account", accountId)
                .map((rs, ctx) -> new NotificationPolicy(rs.getString("for_not_following"),
                        rs.getString("for_not_followers"), rs.getString("for_new_accounts"),
                        rs.getString("for_private_mentions"), rs.getString("for_limited_accounts")))
                .findOne();
    }

    void savePolicy(Handle h, long accountId, NotificationPolicy p) {
        h.createUpdate("""
                        INSERT INTO notification_policies (account_id, for_not_following, for_not_followers,
                                    for_new_accounts, for_private_mentions, for_limited_accounts)
                        VALUES (:account, :notFollowing, :notFollowers, :newAccounts, :privateMentions, :limited)
                        ON CONFLICT (account_id) DO UPDATE
                           SET for_not_following = EXCLUDED.for_not_following,
                               for_not_followers = EXCLUDED.for_not_followers,
                               for_new_accounts = EXCLUDED.for_new_accounts,
                               for_private_mentions = EXCLUDED.for_private_mentions,
                               for_limited_accounts = EXCLUDED.for_limited_accounts,
                               updated_at = now()""")
                .bind("account", accountId)
                .bind("notFollowing", p.forNotFollowing())
                .bind("notFollowers", p.forNotFollowers())
                .bind("newAccounts", p.forNewAccounts())
                .bind("privateMentions", p.forPrivateMentions())
                .bind("limited", p.forLimitedAccounts())
                .execute();
    }

    /**
     * What the policy asks about a sender, as Mastodon's NotifyService conditions: whether the
     * recipient follows them; whether they have followed the recipient for three days; whether
     * their account is under 30 days old; whether the recipient accepted their request before;
     * whether their role is above the recipient's (staff, whose mentions always get through); whether
     * they are limited (their domain is silenced).
     */
    record Sender(boolean followed, boolean follower, boolean newAccount, boolean permitted, boolean staff, boolean limited) {}

    Sender sender(Handle h, long recipientId, long fromId) {
        return h.createQuery("""
                        SELECT EXISTS (SELECT 1 FROM follows WHERE account_id = :recipient AND target_account_id = a.id)
                                   AS followed,
                               EXISTS (SELECT 1 FROM follows WHERE account_id = a.id AND target_account_id = :recipient
                                          AND created_at <= now() - interval '3 days') AS follower,
                               a.created_at > now() - interval '30 days' AS new_account,
                               EXISTS (SELECT 1 FROM notification_permissions
                                        WHERE account_id = :recipient AND from_account_id = a.id) AS permitted,
                               coalesce(array_position(:roles, su.role) > array_position(:roles, ru.role), false) AS staff,
                               a.silenced AS limited
                          FROM accounts a
                          LEFT JOIN users su ON su.account_id = a.id
                          LEFT JOIN users ru ON ru.account_id = :recipient
                         WHERE a.id = :from""")
                .bind("recipient", recipientId)
                .bind("from", fromId)
                .bind("roles", new String[] {"user", "moderator", "admin", "owner"})
                .map((rs, ctx) -> new Sender(rs.getBoolean("followed"), rs.getBoolean("follower"),
                        rs.getBoolean("new_account"), rs.getBoolean("permitted"), rs.getBoolean("staff"),
                        rs.getBoolean("limited")))
                .one();
    }

    /**
     * Whether {@code statusId} is a direct post that does not answer a private mention of its
     * author by the recipient: Mastodon walks up to 100 posts up the thread looking for one.
     */
    boolean unsolicitedPrivateMention(Handle h, long recipientId, long fromId, long statusId) {
        return h.createQuery("""
                        WITH RECURSIVE ancestors (id, in_reply_to_id, depth) AS (
                            SELECT p.id, p.in_reply_to_id, 0
                              FROM statuses s JOIN statuses p ON p.id = s.in_reply_to_id
                             WHERE s.id = :status
                          UNION ALL
                            SELECT p.id, p.in_reply_to_id, a.depth + 1
                              FROM ancestors a JOIN statuses p ON p.id = a.in_reply_to_id
                             WHERE a.depth < 100
                        )
                        SELECT s.visibility = 'direct' AND NOT EXISTS (
                                   SELECT 1 FROM ancestors a
                                     JOIN statuses p ON p.id = a.id
                                     JOIN mentions m ON m.status_id = p.id AND m.account_id = :from
                                    WHERE p.account_id = :recipient AND p.visibility = 'direct')
                          FROM statuses s WHERE s.id = :status""")
                .bind("status", statusId)
                .bind("from", fromId)
                .bind("recipient", recipientId)
                .mapTo(Boolean.class).findOne().orElse(false);
    }

    /** Opens the sender's request, or moves it to their latest filtered mention. */
    void fileRequest(Handle h, long recipientId, long fromId, long statusId) {
        h.createUpdate("""
                        INSERT INTO notification_requests (account_id, from_account_id, last_status_id)
                        VALUES (:recipient, :from, :status)
                        ON CONFLICT (account_id, from_account_id) DO UPDATE
                           SET last_status_id = EXCLUDED.last_status_id, updated_at = now()""")
                .bind("recipient", recipientId)
                .bind("from", fromId)
                .bind("status", statusId)
                .execute();
    }

    List<NotificationRequest> requests(Handle h, long accountId, Window window) {
        return window.bind(h.createQuery(COUNTED + " AND " + window.where("r.id") + window.order("r.id"))
                        .bind("viewer", accountId))
                .map((rs, ctx) -> request(rs)).list();
    }

    Optional<NotificationRequest> request(Handle h, long accountId, long id) {
        return h.createQuery(COUNTED + " AND r.id = :id")
                .bind("viewer", accountId)
                .bind("id", id)
                .map((rs, ctx) -> request(rs)).findOne();
    }

    /** The recipient's requests among {@code ids}, those still counting a notification. */
    List<NotificationRequest> requests(Handle h, long accountId, List<Long> ids) {
        return h.createQuery(COUNTED + " AND r.id = ANY(:ids)")
                .bind("viewer", accountId)
                .bind("ids", ids.toArray(Long[]::new))
                .map((rs, ctx) -> request(rs)).list();
    }

    /** Pending requests and the notifications they hold, over the newest 100 requests (Mastodon's cap). */
    record Summary(long requests, long notifications) {}

    Summary summary(Handle h, long accountId) {
        return h.createQuery("SELECT count(*) AS requests, coalesce(sum(total), 0) AS notifications FROM ("
                        + COUNTED + " ORDER BY r.id DESC LIMIT " + MAX_MEANINGFUL_COUNT + ") pending")
                .bind("viewer", accountId)
                .map((rs, ctx) -> new Summary(rs.getLong("requests"), rs.getLong("notifications")))
                .one();
    }

    /** Lets the sender through from now on and brings their filtered notifications back into the lists. */
    void accept(Handle h, long accountId, long fromId) {
        h.createUpdate("""
                        INSERT INTO notification_permissions (account_id, from_account_id) VALUES (:account, :from)
                        ON CONFLICT DO NOTHING""")
                .bind("account", accountId).bind("from", fromId).execute();
        h.createUpdate("UPDATE notifications SET filtered = false WHERE account_id = :account AND from_account_id = :from AND filtered")
                .bind("account", accountId).bind("from", fromId).execute();
        deleteRequest(h, accountId, fromId);
    }

    /** Throws away the sender's filtered notifications (Mastodon's FilteredNotificationCleanupWorker). */
    void deleteFiltered(Handle h, long accountId, long fromId) {
        h.createUpdate("DELETE FROM notifications WHERE account_id = :account AND from_account_id = :from AND filtered")
                .bind("account", accountId).bind("from", fromId).execute();
    }

    void deleteRequest(Handle h, long accountId, long fromId) {
        h.createUpdate("DELETE FROM notification_requests WHERE account_id = :account AND from_account_id = :from")
                .bind("account", accountId).bind("from", fromId).execute();
    }

    private static NotificationRequest request(ResultSet rs) throws SQLException {
        return new NotificationRequest(rs.getLong("id"), rs.getLong("from_account_id"),
                (Long) rs.getObject("last_status_id"), instant(rs, "created_at"), instant(rs, "updated_at"),
                rs.getLong("total"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getTimestamp(column).toInstant();
    }
}
