package social.caravan.accounts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import social.caravan.core.json.Json;
import tools.jackson.core.type.TypeReference;

/** SQL for the accounts and users tables. */
final class AccountStore {
    private static final TypeReference<List<Account.Field>> FIELDS = new TypeReference<>() {};
    private static final String ACCOUNT_COLUMNS = """
            a.id, a.username, a.domain, a.display_name, a.note, a.fields::text AS fields, a.locked, a.bot,
            a.discoverable, a.indexable, a.hide_collections, a.public_key, a.created_at, a.updated_at,
            (SELECT r.role FROM users r WHERE r.account_id = a.id) AS account_role,
            coalesce(st.statuses_count, 0) AS statuses_count, coalesce(st.followers_count, 0) AS followers_count,
            coalesce(st.following_count, 0) AS following_count, st.last_status_at,
            a.uri, a.url, a.actor_type, a.inbox_url, a.shared_inbox_url, a.outbox_url, a.followers_url, a.following_url,
            a.featured_url, a.key_id, a.avatar_remote_url, a.header_remote_url, a.last_fetched_at,
            a.emojis::text AS emojis, a.moved_to_account_id""";
    private static final String ACCOUNTS = " FROM accounts a LEFT JOIN account_stats st ON st.account_id = a.id";
    private static final String USER_COLUMNS = """
            u.account_id, u.email, u.password_hash, u.role, u.approved, u.disabled, u.locale,
            u.default_privacy, u.default_sensitive, u.default_language, u.created_at AS user_created_at""";

    record NewLocalAccount(String username, String email, String passwordHash, Role role, boolean approved,
                           String locale, String reason, String signUpIp, KeyPairs.Pem keys) {}

    long insertLocal(Handle h, NewLocalAccount a) {
        long id = h.createQuery("""
                        INSERT INTO accounts (username, display_name, public_key, private_key, created_at, updated_at)
                        VALUES (:username, '', :publicKey, :privateKey, now(), now()) RETURNING id""")
                .bind("username", a.username())
                .bind("publicKey", a.keys().publicKey())
                .bind("privateKey", a.keys().privateKey())
                .mapTo(Long.class).one();
        h.createUpdate("""
                        INSERT INTO users (account_id, email, password_hash, role, approved, locale,
                                           registration_reason, sign_up_ip)
                        VALUES (:id, :email, :hash, :role, :approved, :locale, :reason, :ip)""")
                .bind("id", id)
                .bind("email", a.email())
                .bind("hash", a.passwordHash())
                .bind("role", a.role().key())
                .bind("approved", a.approved())
                .bind("locale", a.locale())
                .bind("reason", a.reason())
                .bind("ip", a.signUpIp())
                .execute();
        return id;
    }

    boolean usernameTaken(Handle h, String username) {
        return h.createQuery("SELECT EXISTS (SELECT 1 FROM accounts WHERE lower(username) = lower(:u) AND domain IS NULL)")
                .bind("u", username).mapTo(Boolean.class).one();
    }

    boolean emailTaken(Handle h, String email) {
        return h.createQuery("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(:e))")
                .bind("e", email).mapTo(Boolean.class).one();
    }

    Optional<Account> find(Handle h, long id) {
        return h.createQuery("SELECT " + ACCOUNT_COLUMNS + ACCOUNTS + " WHERE a.id = :id")
                .bind("id", id).map((rs, ctx) -> account(rs)).findOne();
    }

    Optional<Account> findLocal(Handle h, String username) {
        return h.createQuery("SELECT " + ACCOUNT_COLUMNS
                        + ACCOUNTS + " WHERE lower(a.username) = lower(:u) AND a.domain IS NULL")
                .bind("u", username).map((rs, ctx) -> account(rs)).findOne();
    }

    Optional<Account> findByUri(Handle h, String uri) {
        return h.createQuery("SELECT " + ACCOUNT_COLUMNS + ACCOUNTS + " WHERE a.uri = :uri")
                .bind("uri", uri).map((rs, ctx) -> account(rs)).findOne();
    }

    Optional<Account> findRemote(Handle h, String username, String domain) {
        return h.createQuery("SELECT " + ACCOUNT_COLUMNS + ACCOUNTS
                        + " WHERE lower(a.username) = lower(:u) AND lower(a.domain) = lower(:d)")
                .bind("u", username).bind("d", domain).map((rs, ctx) -> account(rs)).findOne();
    }

    Optional<Account> findByKeyId(Handle h, String keyId) {
        return h.createQuery("SELECT " + ACCOUNT_COLUMNS + ACCOUNTS + " WHERE a.key_id = :k LIMIT 1")
                .bind("k", keyId).map((rs, ctx) -> account(rs)).findOne();
    }

    Optional<String> privateKey(Handle h, long accountId) {
        return h.createQuery("SELECT private_key FROM accounts WHERE id = :id AND private_key IS NOT NULL")
                .bind("id", accountId).mapTo(String.class).findOne();
    }

    /** By URI first, then by handle (an actor re-created under a new URI); else a new row. */
    long upsertRemote(Handle h, AccountService.RemoteProfile p) {
        Account.Remote r = p.remote();
        Optional<Long> existing = h.createQuery("""
                        SELECT id FROM accounts
                         WHERE uri = :uri OR (lower(username) = lower(:u) AND lower(domain) = lower(:d))
                         ORDER BY (uri = :uri) DESC NULLS LAST LIMIT 1 FOR UPDATE""")
                .bind("uri", r.uri()).bind("u", p.username()).bind("d", p.domain()).mapTo(Long.class).findOne();
        String columns = """
                username = :username, domain = :domain, display_name = :displayName, note = :note,
                fields = CAST(:fields AS jsonb), locked = :locked, bot = :bot, discoverable = :discoverable,
                indexable = :indexable, public_key = :publicKey, uri = :uri, url = :url, actor_type = :actorType,
                inbox_url = :inbox, shared_inbox_url = :sharedInbox, outbox_url = :outbox, followers_url = :followers,
                following_url = :following, featured_url = :featured, key_id = :keyId, avatar_remote_url = :avatar,
                header_remote_url = :header, emojis = CAST(:emojis AS jsonb), last_fetched_at = now(),
                updated_at = now()""";
        var statement = existing.isPresent()
                ? h.createUpdate("UPDATE accounts SET " + columns + " WHERE id = :id").bind("id", existing.get())
                : h.createUpdate("""
                        INSERT INTO accounts (username, domain, display_name, note, fields, locked, bot, discoverable,
                                              indexable, public_key, uri, url, actor_type, inbox_url, shared_inbox_url,
                                              outbox_url, followers_url, following_url, featured_url, key_id,
                                              avatar_remote_url, header_remote_url, emojis, last_fetched_at, created_at,
                                              updated_at)
                        VALUES (:username, :domain, :displayName, :note, CAST(:fields AS jsonb), :locked, :bot,
                                :discoverable, :indexable, :publicKey, :uri, :url, :actorType, :inbox, :sharedInbox,
                                :outbox, :followers, :following, :featured, :keyId, :avatar, :header,
                                CAST(:emojis AS jsonb), now(),
                                coalesce(:published, now()), now())""");
        statement.bind("username", p.username())
                .bind("domain", p.domain())
                .bind("displayName", p.displayName())
                .bind("note", p.noteHtml())
                .bind("fields", Json.write(p.fields()))
                .bind("locked", p.locked())
                .bind("bot", p.bot())
                .bind("discoverable", p.discoverable())
                .bind("indexable", p.indexable())
                .bind("publicKey", p.publicKeyPem())
                .bind("uri", r.uri())
                .bind("url", r.url())
                .bind("actorType", r.actorType())
                .bind("inbox", r.inbox())
                .bind("sharedInbox", r.sharedInbox())
                .bind("outbox", r.outbox())
                .bind("followers", r.followers())
                .bind("following", r.following())
                .bind("featured", r.featured())
                .bind("keyId", r.keyId())
                .bind("avatar", r.avatarUrl())
                .bind("header", r.headerUrl())
                .bind("emojis", r.emojis())
                .bindByType("published", p.published() == null ? null : java.sql.Timestamp.from(p.published()),
                        java.sql.Timestamp.class);
        if (existing.isPresent()) {
            statement.execute();
            return existing.get();
        }
        return statement.executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    List<Account> findAll(Handle h, Collection<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return h.createQuery("SELECT " + ACCOUNT_COLUMNS + ACCOUNTS + " WHERE a.id = ANY(:ids)")
                .bind("ids", ids.toArray(Long[]::new)).map((rs, ctx) -> account(rs)).list();
    }

    /** The counts of those of {@code ids} that have any. */
    Map<Long, Account.Stats> stats(Handle h, Collection<Long> ids) {
        Map<Long, Account.Stats> found = new HashMap<>();
        h.createQuery("""
                        SELECT st.account_id, st.statuses_count, st.followers_count, st.following_count, st.last_status_at
                          FROM account_stats st WHERE st.account_id = ANY(:ids)""")
                .bind("ids", ids.toArray(Long[]::new))
                .map((rs, ctx) -> Map.entry(rs.getLong("account_id"), stats(rs)))
                .forEach(e -> found.put(e.getKey(), e.getValue()));
        return found;
    }

    /** Those of {@code ids} that are local accounts still waiting for approval. */
    List<Long> unapproved(Handle h, Collection<Long> ids) {
        return h.createQuery("SELECT account_id FROM users WHERE account_id = ANY(:ids) AND NOT approved")
                .bind("ids", ids.toArray(Long[]::new)).mapTo(Long.class).list();
    }

    Optional<User> user(Handle h, long accountId) {
        return h.createQuery("SELECT " + USER_COLUMNS + " FROM users u WHERE u.account_id = :id")
                .bind("id", accountId).map((rs, ctx) -> user(rs)).findOne();
    }

    /** A local user by e-mail or username, as people type either into a sign-in form. */
    Optional<User> userByLogin(Handle h, String login) {
        return h.createQuery("SELECT " + USER_COLUMNS + """
                         FROM users u JOIN accounts a ON a.id = u.account_id
                        WHERE lower(u.email) = lower(:login) OR (lower(a.username) = lower(:login) AND a.domain IS NULL)
                        LIMIT 1""")
                .bind("login", login).map((rs, ctx) -> user(rs)).findOne();
    }

    record LocalRow(Account account, User user) {}

    List<LocalRow> listLocal(Handle h) {
        return h.createQuery("SELECT " + ACCOUNT_COLUMNS + ", " + USER_COLUMNS
                        + ACCOUNTS + " JOIN users u ON u.account_id = a.id ORDER BY a.id")
                .map((rs, ctx) -> new LocalRow(account(rs), user(rs))).list();
    }

    long countLocalUsers(Handle h) {
        return h.createQuery("SELECT count(*) FROM users WHERE approved AND NOT disabled").mapTo(Long.class).one();
    }

    List<String> remoteInboxes(Handle h) {
        return h.createQuery("""
                        SELECT DISTINCT coalesce(shared_inbox_url, inbox_url) FROM accounts
                         WHERE domain IS NOT NULL AND inbox_url IS NOT NULL""")
                .mapTo(String.class).list();
    }

    void forgetKey(Handle h, long accountId) {
        h.createUpdate("UPDATE accounts SET public_key = '', key_id = NULL, updated_at = now() WHERE id = :id AND domain IS NOT NULL")
                .bind("id", accountId).execute();
    }

    /** True when the account did not point at the target already. */
    boolean setMovedTo(Handle h, long accountId, long targetId) {
        return h.createUpdate("""
                        UPDATE accounts SET moved_to_account_id = :t, updated_at = now()
                         WHERE id = :id AND moved_to_account_id IS DISTINCT FROM :t""")
                .bind("id", accountId).bind("t", targetId).execute() > 0;
    }

    void updateProfile(Handle h, Account a) {
        h.createUpdate("""
                        UPDATE accounts SET display_name = :displayName, note = :note, fields = CAST(:fields AS jsonb),
                               locked = :locked, bot = :bot, discoverable = :discoverable, indexable = :indexable,
                               hide_collections = :hideCollections, updated_at = now()
                         WHERE id = :id""")
                .bind("id", a.id())
                .bind("displayName", a.displayName())
                .bind("note", a.note())
                .bind("fields", Json.write(a.fields()))
                .bind("locked", a.locked())
                .bind("bot", a.bot())
                .bind("discoverable", a.discoverable())
                .bind("indexable", a.indexable())
                .bind("hideCollections", a.hideCollections())
                .execute();
    }

    void updateUser(Handle h, User u) {
        h.createUpdate("""
                        UPDATE users SET email = :email, password_hash = :hash, role = :role, approved = :approved,
                               disabled = :disabled, locale = :locale, default_privacy = :privacy,
                               default_sensitive = :sensitive, default_language = :language
                         WHERE account_id = :id""")
                .bind("id", u.accountId())
                .bind("email", u.email())
                .bind("hash", u.passwordHash())
                .bind("role", u.role().key())
                .bind("approved", u.approved())
                .bind("disabled", u.disabled())
                .bind("locale", u.locale())
                .bind("privacy", u.defaultPrivacy())
                .bind("sensitive", u.defaultSensitive())
                .bind("language", u.defaultLanguage())
                .execute();
    }

    void recordSignIn(Handle h, long accountId) {
        h.createUpdate("UPDATE users SET last_sign_in_at = now() WHERE account_id = :id").bind("id", accountId).execute();
    }

    /** A status by this account was posted (+1) or deleted (-1). */
    /**
     * Adds each delta to its account's statuses count (a positive one also sets the last status
     * time). The rows are locked in id order, so batches counting the same accounts cannot deadlock.
     */
    void countStatuses(Handle h, long[] accountIds, int[] deltas) {
        Set<Long> counted = Set.copyOf(h.createQuery("""
                        WITH c AS (SELECT id, d FROM unnest(:ids, :deltas) AS c (id, d)),
                        locked AS MATERIALIZED (
                            SELECT s.account_id FROM account_stats s WHERE s.account_id = ANY(:ids)
                             ORDER BY s.account_id FOR UPDATE)
                        UPDATE account_stats s
                           SET statuses_count = greatest(s.statuses_count + c.d, 0),
                               last_status_at = CASE WHEN c.d > 0 THEN now() ELSE s.last_status_at END
                          FROM c JOIN locked l ON l.account_id = c.id
                         WHERE s.account_id = c.id
                        RETURNING s.account_id""")
                .bind("ids", accountIds).bind("deltas", deltas).mapTo(Long.class).list());
        for (int i = 0; i < accountIds.length; i++) {
            if (!counted.contains(accountIds[i])) {
                // An account's first count: no row yet (or one made since by a transaction beside this).
                h.createUpdate("""
                                INSERT INTO account_stats (account_id, statuses_count, last_status_at)
                                VALUES (:id, greatest(:d, 0), CASE WHEN :d > 0 THEN now() END)
                                ON CONFLICT (account_id) DO UPDATE
                                   SET statuses_count = greatest(account_stats.statuses_count + :d, 0),
                                       last_status_at = CASE WHEN :d > 0 THEN now() ELSE account_stats.last_status_at END""")
                        .bind("id", accountIds[i]).bind("d", deltas[i]).execute();
            }
        }
    }

    /**
     * A follow from {@code followerId} to {@code targetId} was made (+1) or undone (-1). The two rows
     * are updated in id order, so two accounts following each other at once cannot deadlock.
     */
    void countFollow(Handle h, long followerId, long targetId, int delta) {
        if (followerId < targetId) {
            addToCount(h, followerId, "following_count", delta);
            addToCount(h, targetId, "followers_count", delta);
        } else {
            addToCount(h, targetId, "followers_count", delta);
            addToCount(h, followerId, "following_count", delta);
        }
    }

    /** {@code column} is one of this class's constants, never input. */
    private static void addToCount(Handle h, long accountId, String column, int delta) {
        h.createUpdate("INSERT INTO account_stats (account_id, " + column + ") VALUES (:id, greatest(:d, 0))"
                        + " ON CONFLICT (account_id) DO UPDATE SET " + column + " = greatest(account_stats." + column + " + :d, 0)")
                .bind("id", accountId).bind("d", delta).execute();
    }

    /** Sets the counts a remote account's server publishes; a null leaves that count as it is. */
    void setPublishedCounts(Handle h, long accountId, Integer statuses, Integer followers, Integer following) {
        h.createUpdate("""
                        INSERT INTO account_stats (account_id, statuses_count, followers_count, following_count)
                        VALUES (:id, coalesce(:s, 0), coalesce(:f, 0), coalesce(:g, 0))
                        ON CONFLICT (account_id) DO UPDATE
                           SET statuses_count = coalesce(:s, account_stats.statuses_count),
                               followers_count = coalesce(:f, account_stats.followers_count),
                               following_count = coalesce(:g, account_stats.following_count)""")
                .bind("id", accountId).bindByType("s", statuses, Integer.class).bindByType("f", followers, Integer.class)
                .bindByType("g", following, Integer.class).execute();
    }

    void delete(Handle h, long accountId) {
        h.createUpdate("DELETE FROM accounts WHERE id = :id").bind("id", accountId).execute();
    }

    private static Account account(ResultSet rs) throws SQLException {
        return new Account(
                rs.getLong("id"),
                rs.getString("username"),
                rs.getString("domain"),
                rs.getString("display_name"),
                rs.getString("note"),
                Json.MAPPER.readValue(rs.getString("fields"), FIELDS),
                rs.getBoolean("locked"),
                rs.getBoolean("bot"),
                rs.getBoolean("discoverable"),
                rs.getBoolean("indexable"),
                rs.getBoolean("hide_collections"),
                rs.getString("public_key"),
                instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("updated_at")),
                rs.getString("account_role") == null ? null : Role.parse(rs.getString("account_role")),
                stats(rs),
                rs.getString("domain") == null ? null : remote(rs),
                rs.getObject("moved_to_account_id", Long.class));
    }

    private static Account.Remote remote(ResultSet rs) throws SQLException {
        return new Account.Remote(rs.getString("uri"), rs.getString("url"), rs.getString("actor_type"),
                rs.getString("inbox_url"), rs.getString("shared_inbox_url"), rs.getString("outbox_url"),
                rs.getString("followers_url"), rs.getString("following_url"), rs.getString("featured_url"),
                rs.getString("key_id"), rs.getString("avatar_remote_url"), rs.getString("header_remote_url"),
                instant(rs.getTimestamp("last_fetched_at")), rs.getString("emojis"));
    }

    private static Account.Stats stats(ResultSet rs) throws SQLException {
        return new Account.Stats(rs.getLong("statuses_count"), rs.getLong("followers_count"),
                rs.getLong("following_count"), instant(rs.getTimestamp("last_status_at")));
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(
                rs.getLong("account_id"),
                rs.getString("email"),
                rs.getString("password_hash"),
                Role.parse(rs.getString("role")),
                rs.getBoolean("approved"),
                rs.getBoolean("disabled"),
                rs.getString("locale"),
                rs.getString("default_privacy"),
                rs.getBoolean("default_sensitive"),
                rs.getString("default_language"),
                instant(rs.getTimestamp("user_created_at")));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
