package social.caravan.lists;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import social.caravan.core.db.Window;

/** SQL for lists and their members (lists, list_accounts). */
final class ListStore {
    private static final String COLUMNS = "l.id, l.account_id, l.title, l.replies_policy, l.exclusive";
    private static final RowMapper<UserList> LIST = (rs, ctx) -> new UserList(rs.getLong("id"), rs.getLong("account_id"),
            rs.getString("title"), rs.getString("replies_policy"), rs.getBoolean("exclusive"));

    List<UserList> lists(Handle h, long ownerId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM lists l WHERE l.account_id = :owner ORDER BY l.id")
                .bind("owner", ownerId).map(LIST).list();
    }

    /** The list, if it is the owner's. */
    Optional<UserList> find(Handle h, long ownerId, long listId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM lists l WHERE l.id = :list AND l.account_id = :owner")
                .bind("list", listId).bind("owner", ownerId).map(LIST).findOne();
    }

    int count(Handle h, long ownerId) {
        return h.createQuery("SELECT count(*) FROM lists WHERE account_id = :owner").bind("owner", ownerId)
                .mapTo(Integer.class).one();
    }

    UserList insert(Handle h, long ownerId, String title, String repliesPolicy, boolean exclusive) {
        return h.createQuery("""
                        INSERT INTO lists AS l (account_id, title, replies_policy, exclusive)
                        VALUES (:owner, :title, :policy, :exclusive)
                        RETURNING""" + " " + COLUMNS)
                .bind("owner", ownerId).bind("title", title).bind("policy", repliesPolicy).bind("exclusive", exclusive)
                .map(LIST).one();
    }

    UserList update(Handle h, long listId, String title, String repliesPolicy, boolean exclusive) {
        return h.createQuery("""
                        UPDATE lists AS l SET title = :title, replies_policy = :policy, exclusive = :exclusive, updated_at = now()
                         WHERE l.id = :list
                        RETURNING""" + " " + COLUMNS)
                .bind("list", listId).bind("title", title).bind("policy", repliesPolicy).bind("exclusive", exclusive)
                .map(LIST).one();
    }

    void delete(Handle h, long listId) {
        h.createUpdate("DELETE FROM lists WHERE id = :list").bind("list", listId).execute();
    }

    /** A page of the members' account ids, which are also the paging keys, as Mastodon pages them. */
    List<Long> members(Handle h, long listId, Window w) {
        return w.newestFirst(w.bind(h.createQuery("SELECT la.account_id FROM list_accounts la WHERE la.list_id = :list AND "
                        + w.where("la.account_id") + w.order("la.account_id")))
                .bind("list", listId).mapTo(Long.class).list());
    }

    /** The follow that lets the owner put {@code targetId} on a list, if there is one. */
    Optional<Long> followId(Handle h, long ownerId, long targetId) {
        return h.createQuery("SELECT id FROM follows WHERE account_id = :owner AND target_account_id = :target")
                .bind("owner", ownerId).bind("target", targetId).mapTo(Long.class).findOne();
    }

    /** Adds a member; false when it already is one. */
    boolean addMember(Handle h, long listId, long accountId, Long followId) {
        return h.createUpdate("""
                        INSERT INTO list_accounts (list_id, account_id, follow_id) VALUES (:list, :account, :follow)
                        ON CONFLICT DO NOTHING""")
                .bind("list", listId).bind("account", accountId).bindByType("follow", followId, Long.class)
                .execute() > 0;
    }

    /** Removes these members; returns those that were members. */
    List<Long> removeMembers(Handle h, long listId, List<Long> accountIds) {
        return h.createQuery("DELETE FROM list_accounts WHERE list_id = :list AND account_id = ANY(:accounts) RETURNING account_id")
                .bind("list", listId).bind("accounts", accountIds.toArray(Long[]::new)).mapTo(Long.class).list();
    }

    /** The owner's lists that hold the account. */
    List<UserList> listsWith(Handle h, long ownerId, long accountId) {
        return h.createQuery("SELECT " + COLUMNS + """
                         FROM lists l JOIN list_accounts la ON la.list_id = l.id
                        WHERE l.account_id = :owner AND la.account_id = :account
                        ORDER BY l.id""")
                .bind("owner", ownerId).bind("account", accountId).map(LIST).list();
    }
}
