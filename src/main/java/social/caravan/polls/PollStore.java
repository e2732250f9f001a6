package social.caravan.polls;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import social.caravan.statuses.Visibility;

/** SQL for polls and their votes. */
final class PollStore {
    /** A poll {@code p} with whether it has ended and the choices of {@code :viewer} (0: none). */
    private static final String COLUMNS = """
            p.id, p.status_id, p.account_id, p.options, p.tallies, p.votes_count, p.voters_count, p.multiple,
            p.hide_totals, p.expires_at, p.expires_at <= now() AS expired,
            ARRAY(SELECT v.choice FROM poll_votes v WHERE v.poll_id = p.id AND v.account_id = :viewer ORDER BY v.id)
                AS own_votes""";

    long insert(Handle h, long statusId, long accountId, List<String> options, boolean multiple, boolean hideTotals,
                Instant expiresAt) {
        return h.createQuery("""
                        INSERT INTO polls (status_id, account_id, options, tallies, multiple, hide_totals, expires_at)
                        VALUES (:status, :account, :options, array_fill(0, ARRAY[:count]), :multiple, :hideTotals, :expiresAt)
                        RETURNING id""")
                .bind("status", statusId).bind("account", accountId)
                .bind("options", options.toArray(String[]::new)).bind("count", options.size())
                .bind("multiple", multiple).bind("hideTotals", hideTotals)
                .bind("expiresAt", Timestamp.from(expiresAt))
                .mapTo(Long.class).one();
    }

    /** The polls of these statuses (each status has one at most), in no particular order. */
    List<Poll> ofStatuses(Handle h, List<Long> statusIds, long viewer) {
        if (statusIds.isEmpty()) {
            return List.of();
        }
        return h.createQuery("SELECT " + COLUMNS + " FROM polls p WHERE p.status_id = ANY(:ids)")
                .bind("ids", statusIds.toArray(Long[]::new)).bind("viewer", viewer)
                .map((rs, ctx) -> poll(rs)).list();
    }

    Optional<Poll> find(Handle h, long id, long viewer) {
        return h.createQuery("SELECT " + COLUMNS + " FROM polls p WHERE p.id = :id")
                .bind("id", id).bind("viewer", viewer).map((rs, ctx) -> poll(rs)).findOne();
    }

    /** The poll, locked until the transaction ends: votes on one poll are counted one after another. */
    Optional<Poll> findForUpdate(Handle h, long id, long viewer) {
        return h.createQuery("SELECT " + COLUMNS + " FROM polls p WHERE p.id = :id FOR UPDATE")
                .bind("id", id).bind("viewer", viewer).map((rs, ctx) -> poll(rs)).findOne();
    }

    /** The options of the status's poll, if it has one. */
    Optional<List<String>> optionsOf(Handle h, long statusId) {
        return h.createQuery("SELECT options FROM polls WHERE status_id = :status").bind("status", statusId)
                .map((rs, ctx) -> List.of((String[]) rs.getArray("options").getArray())).findOne();
    }

    Optional<Poll> ofStatusForUpdate(Handle h, long statusId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM polls p WHERE p.status_id = :status FOR UPDATE")
                .bind("status", statusId).bind("viewer", 0L).map((rs, ctx) -> poll(rs)).findOne();
    }

    /**
     * The poll of a local status {@code voter} may see, with the voter's choices, locked until the
     * transaction ends; empty when there is none.
     */
    Optional<Poll> ofVisibleLocalStatusForUpdate(Handle h, long statusId, long voter) {
        return h.createQuery("SELECT " + COLUMNS
                        + " FROM polls p JOIN statuses s ON s.id = p.status_id JOIN accounts a ON a.id = s.account_id"
                        + " WHERE p.status_id = :status AND a.domain IS NULL AND " + Visibility.SQL_VISIBLE + " FOR UPDATE OF p")
                .bind("status", statusId).bind("viewer", voter).map((rs, ctx) -> poll(rs)).findOne();
    }

    /**
     * Deletes every vote of an account and takes them off their polls' counts (and the account off
     * the voters); returns how many polls it had voted in.
     */
    int withdrawVotes(Handle h, long accountId) {
        return h.createUpdate("""
                        WITH gone AS (DELETE FROM poll_votes WHERE account_id = :account RETURNING poll_id, choice),
                        per_poll AS (SELECT poll_id, array_agg(choice) AS choices FROM gone GROUP BY poll_id)
                        UPDATE polls p
                           SET tallies = ARRAY(SELECT greatest(t.votes - cardinality(array_positions(pp.choices, t.i::int - 1)), 0)
                                                 FROM unnest(p.tallies) WITH ORDINALITY AS t(votes, i) ORDER BY t.i),
                               votes_count = greatest(p.votes_count - cardinality(pp.choices), 0),
                               voters_count = greatest(p.voters_count - 1, 0)
                          FROM per_poll pp
                         WHERE p.id = pp.poll_id""")
                .bind("account", accountId).execute();
    }

    /** Changes a poll; {@code resetVotes} forgets every vote, as the options they were cast for are gone. */
    void update(Handle h, long id, List<String> options, boolean multiple, boolean hideTotals, Instant expiresAt,
                boolean resetVotes) {
        if (resetVotes) {
            h.createUpdate("DELETE FROM poll_votes WHERE poll_id = :id").bind("id", id).execute();
        }
        h.createUpdate("""
                        UPDATE polls SET options = :options, multiple = :multiple, hide_totals = :hideTotals,
                               expires_at = :expiresAt,
                               tallies = CASE WHEN :reset THEN array_fill(0, ARRAY[:count]) ELSE tallies END,
                               votes_count = CASE WHEN :reset THEN 0 ELSE votes_count END,
                               voters_count = CASE WHEN :reset THEN 0 ELSE voters_count END
                         WHERE id = :id""")
                .bind("id", id).bind("options", options.toArray(String[]::new)).bind("count", options.size())
                .bind("multiple", multiple).bind("hideTotals", hideTotals).bind("expiresAt", Timestamp.from(expiresAt))
                .bind("reset", resetVotes).execute();
    }

    void delete(Handle h, long id) {
        h.createUpdate("DELETE FROM polls WHERE id = :id").bind("id", id).execute();
    }

    /** Records one vote and counts it. */
    void vote(Handle h, long pollId, long accountId, int choice) {
        h.createUpdate("INSERT INTO poll_votes (poll_id, account_id, choice) VALUES (:poll, :account, :choice)")
                .bind("poll", pollId).bind("account", accountId).bind("choice", choice).execute();
        h.createUpdate("""
                        UPDATE polls SET tallies[:index] = tallies[:index] + 1, votes_count = votes_count + 1
                         WHERE id = :poll""")
                .bind("poll", pollId).bind("index", choice + 1).execute();
    }

    void countVoter(Handle h, long pollId) {
        h.createUpdate("UPDATE polls SET voters_count = voters_count + 1 WHERE id = :poll").bind("poll", pollId).execute();
    }

    /** Who ended up with a poll notification to send: the poll's author and its status. */
    record Ended(long accountId, long statusId) {}

    /**
     * Marks the current expiry of the poll as announced, once it has passed and if its status still
     * stands; empty when there is nothing (left) to announce.
     */
    Optional<Ended> claimEnd(Handle h, long pollId) {
        return h.createQuery("""
                        UPDATE polls p SET announced_expiry = p.expires_at
                          FROM statuses s
                         WHERE p.id = :poll AND s.id = p.status_id AND s.deleted_at IS NULL
                           AND p.expires_at <= now() AND p.announced_expiry IS DISTINCT FROM p.expires_at
                        RETURNING p.account_id, p.status_id""")
                .bind("poll", pollId)
                .map((rs, ctx) -> new Ended(rs.getLong("account_id"), rs.getLong("status_id"))).findOne();
    }

    List<String> remoteVoterInboxes(Handle h, long statusId) {
        return h.createQuery("""
                        SELECT DISTINCT coalesce(a.shared_inbox_url, a.inbox_url)
                          FROM polls p JOIN poll_votes v ON v.poll_id = p.id JOIN accounts a ON a.id = v.account_id
                         WHERE p.status_id = :status AND a.domain IS NOT NULL AND a.inbox_url IS NOT NULL""")
                .bind("status", statusId).mapTo(String.class).list();
    }

    /** The local accounts that voted, each once. */
    List<Long> localVoters(Handle h, long pollId) {
        return h.createQuery("""
                        SELECT DISTINCT v.account_id FROM poll_votes v JOIN accounts a ON a.id = v.account_id
                         WHERE v.poll_id = :poll AND a.domain IS NULL ORDER BY v.account_id""")
                .bind("poll", pollId).mapTo(Long.class).list();
    }

    private static Poll poll(ResultSet rs) throws SQLException {
        return new Poll(rs.getLong("id"), rs.getLong("status_id"), rs.getLong("account_id"),
                List.of((String[]) rs.getArray("options").getArray()), integers(rs.getArray("tallies")),
                rs.getInt("votes_count"), rs.getInt("voters_count"), rs.getBoolean("multiple"),
                rs.getBoolean("hide_totals"), rs.getTimestamp("expires_at").toInstant(), rs.getBoolean("expired"),
                integers(rs.getArray("own_votes")));
    }

    private static List<Integer> integers(Array array) throws SQLException {
        return List.of((Integer[]) array.getArray());
    }

    /** A remote poll with its server's counts: inserted, or replacing the status's poll. */
    long upsertRemote(Handle h, long statusId, long accountId, List<String> options, List<Integer> tallies, boolean multiple,
                      Integer votersCount, Instant expiresAt) {
        int votes = tallies.stream().mapToInt(Integer::intValue).sum();
        return h.createQuery("""
                        INSERT INTO polls (status_id, account_id, options, tallies, votes_count, voters_count, multiple, expires_at)
                        VALUES (:status, :account, :options, :tallies, :votes, :voters, :multiple, :expiresAt)
                        ON CONFLICT (status_id) DO UPDATE
                           SET options = EXCLUDED.options, tallies = EXCLUDED.tallies, votes_count = EXCLUDED.votes_count,
                               voters_count = EXCLUDED.voters_count, multiple = EXCLUDED.multiple,
                               expires_at = EXCLUDED.expires_at
                        RETURNING id""")
                .bind("status", statusId).bind("account", accountId)
                .bind("options", options.toArray(String[]::new)).bind("tallies", tallies.toArray(Integer[]::new))
                .bind("votes", votes).bind("voters", votersCount == null ? votes : votersCount)
                .bind("multiple", multiple).bind("expiresAt", Timestamp.from(expiresAt))
                .mapTo(Long.class).one();
    }
}
