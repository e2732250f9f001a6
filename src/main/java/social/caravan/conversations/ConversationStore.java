package social.caravan.conversations;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import social.caravan.core.db.Window;

/** SQL for account_conversations. */
final class ConversationStore {
    private static final String COLUMNS = "id, account_id, participant_account_ids, last_status_id, unread";

    /**
     * Adds a status to the account's row for (thread, participants), making the row if needed. A
     * status already there changes nothing, so a repeated call is harmless.
     */
    /** Adds the status to the account's conversation with these participants; its id, unless it was there already. */
    Optional<Long> add(Handle h, long accountId, long conversationId, List<Long> participantIds, long statusId, boolean unread) {
        return h.createQuery("""
                        INSERT INTO account_conversations
                               (account_id, conversation_id, participant_account_ids, status_ids, last_status_id, unread)
                        VALUES (:account, :conversation, :participants, ARRAY[:status]::bigint[], :status, :unread)
                        ON CONFLICT (account_id, conversation_id, participant_account_ids) DO UPDATE
                           SET status_ids = (SELECT array_agg(x ORDER BY x)
                                               FROM unnest(account_conversations.status_ids || :status) x),
                               last_status_id = greatest(account_conversations.last_status_id, :status),
                               unread = EXCLUDED.unread
                         WHERE NOT :status = ANY(account_conversations.status_ids)
                        RETURNING id""")
                .bind("account", accountId)
                .bind("conversation", conversationId)
                .bind("participants", participantIds.toArray(Long[]::new))
                .bind("status", statusId)
                .bind("unread", unread)
                .mapTo(Long.class)
                .findOne();
    }

    /**
     * Which of {@code candidates} take a direct status from {@code authorId} into their
     * conversations: not those who block the author, mute their notifications, or muted the thread.
     */
    List<Long> recipients(Handle h, List<Long> candidates, long authorId, long conversationId) {
        return h.createQuery("""
                        SELECT r FROM unnest(:candidates) r
                         WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.account_id = r AND b.target_account_id = :author)
                           AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = r AND m.target_account_id = :author
                                              AND m.hide_notifications AND (m.expires_at IS NULL OR m.expires_at > now()))
                           AND NOT EXISTS (SELECT 1 FROM conversation_mutes cm
                                            WHERE cm.account_id = r AND cm.conversation_id = :conversation)""")
                .bind("candidates", candidates.toArray(Long[]::new))
                .bind("author", authorId)
                .bind("conversation", conversationId)
                .mapTo(Long.class).list();
    }

    /** Takes a deleted status out of every row holding it; rows left with no status go. */
    void remove(Handle h, long conversationId, long statusId) {
        h.createUpdate("""
                        UPDATE account_conversations
                           SET status_ids = array_remove(status_ids, :status),
                               last_status_id = coalesce((SELECT max(x) FROM unnest(array_remove(status_ids, :status)) x),
                                                         last_status_id)
                         WHERE conversation_id = :conversation AND :status = ANY(status_ids)""")
                .bind("conversation", conversationId).bind("status", statusId).execute();
        h.createUpdate("DELETE FROM account_conversations WHERE conversation_id = :conversation AND status_ids = '{}'")
                .bind("conversation", conversationId).execute();
    }

    /** A page of the account's conversations, newest last status first. */
    List<Conversation> page(Handle h, long accountId, Window window) {
        return window.newestFirst(window.bind(h.createQuery("SELECT " + COLUMNS
                        + " FROM account_conversations WHERE account_id = :account AND " + window.where("last_status_id")
                        + window.order("last_status_id")))
                .bind("account", accountId)
                .map((rs, ctx) -> conversation(rs)).list());
    }

    Optional<Conversation> find(Handle h, long accountId, long id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM account_conversations WHERE id = :id AND account_id = :account")
                .bind("id", id).bind("account", accountId).map((rs, ctx) -> conversation(rs)).findOne();
    }

    void markRead(Handle h, long id) {
        h.createUpdate("UPDATE account_conversations SET unread = false WHERE id = :id").bind("id", id).execute();
    }

    boolean delete(Handle h, long accountId, long id) {
        return h.createUpdate("DELETE FROM account_conversations WHERE id = :id AND account_id = :account")
                .bind("id", id).bind("account", accountId).execute() == 1;
    }

    private static Conversation conversation(ResultSet rs) throws SQLException {
        Array participants = rs.getArray("participant_account_ids");
        return new Conversation(rs.getLong("id"), rs.getLong("account_id"), List.of((Long[]) participants.getArray()),
                rs.getLong("last_status_id"), rs.getBoolean("unread"));
    }
}
