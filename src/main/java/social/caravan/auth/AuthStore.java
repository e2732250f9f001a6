package social.caravan.auth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.Handle;
import social.caravan.core.http.Scopes;

/** SQL for OAuth applications, tokens, authorization codes and web sessions. */
final class AuthStore {

    record TokenRow(long id, long applicationId, OptionalLong accountId, String scopes, Instant createdAt,
                    Instant revokedAt) {}

    record CodeRow(long id, long applicationId, long accountId, String redirectUri, String scopes,
                   String codeChallenge, String codeChallengeMethod, Instant expiresAt, Instant usedAt, Long tokenId) {}

    private static final String APP_COLUMNS =
            "id, name, website, redirect_uris, scopes, client_id, client_secret_hash, created_at";

    Application insertApplication(Handle h, String name, String website, List<String> redirectUris, String scopes,
                                  String clientId, String secretHash) {
        return h.createQuery("INSERT INTO oauth_applications (name, website, redirect_uris, scopes, client_id, "
                        + "client_secret_hash) VALUES (:name, :website, :uris, :scopes, :clientId, :secret) RETURNING "
                        + APP_COLUMNS)
                .bind("name", name)
                .bind("website", website)
                .bind("uris", redirectUris.toArray(String[]::new))
                .bind("scopes", scopes)
                .bind("clientId", clientId)
                .bind("secret", secretHash)
                .map((rs, ctx) -> application(rs)).one();
    }

    Optional<Application> applicationByClientId(Handle h, String clientId) {
        return h.createQuery("SELECT " + APP_COLUMNS + " FROM oauth_applications WHERE client_id = :id")
                .bind("id", clientId).map((rs, ctx) -> application(rs)).findOne();
    }

    Optional<Application> application(Handle h, long id) {
        return h.createQuery("SELECT " + APP_COLUMNS + " FROM oauth_applications WHERE id = :id")
                .bind("id", id).map((rs, ctx) -> application(rs)).findOne();
    }

    Optional<Application> applicationByName(Handle h, String name) {
        return h.createQuery("SELECT " + APP_COLUMNS + " FROM oauth_applications WHERE name = :name ORDER BY id LIMIT 1")
                .bind("name", name).map((rs, ctx) -> application(rs)).findOne();
    }

    TokenRow insertToken(Handle h, long applicationId, OptionalLong accountId, String tokenHash, String scopes) {
        return h.createQuery("""
                        INSERT INTO oauth_access_tokens (application_id, account_id, token_hash, scopes)
                        VALUES (:app, :account, :hash, :scopes)
                        RETURNING id, application_id, account_id, scopes, created_at, revoked_at""")
                .bind("app", applicationId)
                .bind("account", accountId.isPresent() ? accountId.getAsLong() : null)
                .bind("hash", tokenHash)
                .bind("scopes", scopes)
                .map((rs, ctx) -> token(rs)).one();
    }

    Optional<TokenRow> tokenByHash(Handle h, String tokenHash) {
        return h.createQuery("SELECT id, application_id, account_id, scopes, created_at, revoked_at "
                        + "FROM oauth_access_tokens WHERE token_hash = :hash")
                .bind("hash", tokenHash).map((rs, ctx) -> token(rs)).findOne();
    }

    /** A token with its user's state (null fields for an app token, or when the user is gone). */
    record TokenWithUser(TokenRow token, boolean userFound, boolean approved, boolean disabled) {}

    /** The token and its user in one statement: every API request asks this. */
    Optional<TokenWithUser> tokenWithUser(Handle h, String tokenHash) {
        return h.createQuery("""
                        SELECT t.id, t.application_id, t.account_id, t.scopes, t.created_at, t.revoked_at,
                               u.account_id IS NOT NULL AS user_found, coalesce(u.approved, false) AS approved,
                               coalesce(u.disabled, false) AS disabled
                          FROM oauth_access_tokens t LEFT JOIN users u ON u.account_id = t.account_id
                         WHERE t.token_hash = :hash""")
                .bind("hash", tokenHash)
                .map((rs, ctx) -> new TokenWithUser(token(rs), rs.getBoolean("user_found"), rs.getBoolean("approved"),
                        rs.getBoolean("disabled")))
                .findOne();
    }

    void revokeToken(Handle h, long tokenId) {
        h.createUpdate("UPDATE oauth_access_tokens SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL")
                .bind("id", tokenId).execute();
    }

    void insertCode(Handle h, long applicationId, long accountId, String codeHash, String redirectUri, String scopes,
                    String challenge, String challengeMethod, Instant expiresAt) {
        h.createUpdate("""
                        INSERT INTO oauth_authorization_codes (application_id, account_id, code_hash, redirect_uri,
                               scopes, code_challenge, code_challenge_method, expires_at)
                        VALUES (:app, :account, :hash, :uri, :scopes, :challenge, :method, :expires)""")
                .bind("app", applicationId)
                .bind("account", accountId)
                .bind("hash", codeHash)
                .bind("uri", redirectUri)
                .bind("scopes", scopes)
                .bind("challenge", challenge)
                .bind("method", challengeMethod)
                .bind("expires", java.sql.Timestamp.from(expiresAt))
                .execute();
    }

    /** Locks the code's row so two exchanges of one code cannot both succeed. */
    Optional<CodeRow> codeForUpdate(Handle h, String codeHash) {
        return h.createQuery("""
                        SELECT id, application_id, account_id, redirect_uri, scopes, code_challenge,
                               code_challenge_method, expires_at, used_at, token_id
                          FROM oauth_authorization_codes WHERE code_hash = :hash FOR UPDATE""")
                .bind("hash", codeHash)
                .map((rs, ctx) -> new CodeRow(rs.getLong("id"), rs.getLong("application_id"), rs.getLong("account_id"),
                        rs.getString("redirect_uri"), rs.getString("scopes"), rs.getString("code_challenge"),
                        rs.getString("code_challenge_method"), rs.getTimestamp("expires_at").toInstant(),
                        instant(rs, "used_at"), (Long) rs.getObject("token_id")))
                .findOne();
    }

    void markCodeUsed(Handle h, long codeId, long tokenId) {
        h.createUpdate("UPDATE oauth_authorization_codes SET used_at = now(), token_id = :token WHERE id = :id")
                .bind("id", codeId).bind("token", tokenId).execute();
    }

    /** Codes are single-use and live minutes; a day later none can matter. */
    int deleteExpiredCodes(Handle h) {
        return h.createUpdate("DELETE FROM oauth_authorization_codes WHERE expires_at < now() - interval '1 day'").execute();
    }

    void insertSession(Handle h, long accountId, String tokenHash, String userAgent, String ip) {
        h.createUpdate("INSERT INTO web_sessions (account_id, token_hash, user_agent, ip) VALUES (:a, :h, :ua, :ip)")
                .bind("a", accountId).bind("h", tokenHash).bind("ua", userAgent).bind("ip", ip).execute();
    }

    OptionalLong sessionAccount(Handle h, String tokenHash) {
        return h.createQuery("UPDATE web_sessions SET last_seen_at = now() WHERE token_hash = :h RETURNING account_id")
                .bind("h", tokenHash).mapTo(Long.class).findOne()
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    void deleteSession(Handle h, String tokenHash) {
        h.createUpdate("DELETE FROM web_sessions WHERE token_hash = :h").bind("h", tokenHash).execute();
    }

    private static Application application(ResultSet rs) throws SQLException {
        return new Application(rs.getLong("id"), rs.getString("name"), rs.getString("website"),
                Arrays.asList((String[]) rs.getArray("redirect_uris").getArray()),
                Scopes.parse(rs.getString("scopes")), rs.getString("client_id"), rs.getString("client_secret_hash"),
                rs.getTimestamp("created_at").toInstant());
    }

    private static TokenRow token(ResultSet rs) throws SQLException {
        // wasNull() speaks of the column read last, so it must follow account_id at once.
        long account = rs.getLong("account_id");
        OptionalLong accountId = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(account);
        return new TokenRow(rs.getLong("id"), rs.getLong("application_id"), accountId, rs.getString("scopes"),
                rs.getTimestamp("created_at").toInstant(), instant(rs, "revoked_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        var ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }
}
