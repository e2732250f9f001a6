package social.caravan.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.bus.Channels;
import social.caravan.core.bus.EventBus;
import social.caravan.accounts.AccountService;
import social.caravan.accounts.User;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Principal;
import social.caravan.core.http.Scopes;
import social.caravan.core.http.TokenResolver;

/** OAuth 2 as Mastodon runs it: applications, authorization codes with PKCE, tokens, and web sessions. */
public final class AuthService implements TokenResolver {
    static final Duration CODE_LIFETIME = Duration.ofMinutes(10);
    /** The application that owns tokens made by operators with {@code caravan tokens create}. */
    static final String OPERATOR_APP = "Caravan command line";

    private final Jdbi jdbi;
    private final AuthStore store = new AuthStore();
    private final AccountService accounts;
    private final Clock clock;
    private final EventBus bus;

    public AuthService(Jdbi jdbi, AccountService accounts, Clock clock, EventBus bus) {
        this.jdbi = jdbi;
        this.bus = bus;
        this.accounts = accounts;
        this.clock = clock;
    }

    public record RegisteredApp(Application app, String clientSecret) {}

    public record IssuedToken(long id, String accessToken, Set<String> scopes, Instant createdAt) {}

    /** Registers a client; every redirect URI must be absolute or the out-of-band marker. */
    public RegisteredApp registerApp(String name, List<String> redirectUris, Set<String> scopes, String website) {
        if (name == null || name.isBlank()) {
            throw ApiException.unprocessable("Validation failed: Application name can't be blank");
        }
        if (name.length() > 60) {
            throw ApiException.unprocessable("Validation failed: Application name is too long (maximum is 60 characters)");
        }
        if (redirectUris.isEmpty()) {
            throw ApiException.unprocessable("Validation failed: Redirect URI can't be blank");
        }
        for (String uri : redirectUris) {
            if (!validRedirectUri(uri)) {
                throw ApiException.unprocessable("Validation failed: Redirect URI must be an absolute URI");
            }
        }
        if (!Scopes.allKnown(scopes)) {
            throw ApiException.unprocessable("Validation failed: Scopes must be among Mastodon's scopes");
        }
        String secret = Secrets.random();
        Application app = jdbi.withHandle(h -> store.insertApplication(h, name.trim(),
                website == null || website.isBlank() ? null : website.trim(), redirectUris, Scopes.join(scopes),
                Secrets.random(), Secrets.digest(secret)));
        return new RegisteredApp(app, secret);
    }

    static boolean validRedirectUri(String uri) {
        if (uri.equals(Application.OUT_OF_BAND)) {
            return true;
        }
        try {
            java.net.URI parsed = new java.net.URI(uri);
            return parsed.isAbsolute() && parsed.getFragment() == null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    public Optional<Application> application(String clientId) {
        return clientId == null ? Optional.empty() : jdbi.withHandle(h -> store.applicationByClientId(h, clientId));
    }

    public Optional<Application> application(long id) {
        return jdbi.withHandle(h -> store.application(h, id));
    }

    /** The client whose id and secret match, or invalid_client. */
    public Application authenticateClient(String clientId, String clientSecret) {
        if (clientId == null || clientSecret == null) {
            throw OAuthError.invalidClient();
        }
        return application(clientId)
                .filter(app -> Secrets.sameDigest(clientSecret, app.clientSecretHash()))
                .orElseThrow(OAuthError::invalidClient);
    }

    /** Scopes asked for at /oauth/authorize or /oauth/token; Mastodon's default is {@code read}. */
    public Set<String> requestedScopes(Application app, String scope) {
        Set<String> asked = scope == null || scope.isBlank() ? Scopes.of("read") : Scopes.parse(scope);
        if (!Scopes.allKnown(asked) || !Scopes.within(asked, app.scopes())) {
            throw OAuthError.invalidScope();
        }
        return asked;
    }

    /** Makes a one-time code after the user consented at /oauth/authorize. */
    public String createCode(Application app, long accountId, String redirectUri, Set<String> scopes,
                             String codeChallenge, String codeChallengeMethod) {
        String code = Secrets.random();
        Instant expires = clock.instant().plus(CODE_LIFETIME);
        jdbi.useHandle(h -> store.insertCode(h, app.id(), accountId, Secrets.digest(code), redirectUri,
                Scopes.join(scopes), codeChallenge, codeChallengeMethod, expires));
        return code;
    }

    /** Trades a code for a token: once only, same client, same redirect URI, and the PKCE verifier. */
    public IssuedToken exchangeCode(Application app, String code, String redirectUri, String codeVerifier) {
        if (code == null || code.isBlank()) {
            throw OAuthError.invalidRequest("The code parameter is missing.");
        }
        Optional<IssuedToken> result = jdbi.inTransaction(h -> {
            AuthStore.CodeRow row = store.codeForUpdate(h, Secrets.digest(code)).orElseThrow(OAuthError::invalidGrant);
            if (row.usedAt() != null) {
                // A replayed code may be stolen: the token it bought is revoked too (RFC 6749, 4.1.2).
                // Returning (not throwing) commits the revocation; the error follows below.
                if (row.tokenId() != null) {
                    store.revokeToken(h, row.tokenId());
                }
                return Optional.<IssuedToken>empty();
            }
            if (row.applicationId() != app.id() || row.expiresAt().isBefore(clock.instant())
                    || !row.redirectUri().equals(redirectUri)
                    || !pkceMatches(row.codeChallenge(), codeVerifier)) {
                throw OAuthError.invalidGrant();
            }
            String token = Secrets.random();
            AuthStore.TokenRow issued = store.insertToken(h, app.id(), OptionalLong.of(row.accountId()),
                    Secrets.digest(token), row.scopes());
            store.markCodeUsed(h, row.id(), issued.id());
            return Optional.of(new IssuedToken(issued.id(), token, Scopes.parse(issued.scopes()), issued.createdAt()));
        });
        return result.orElseThrow(OAuthError::invalidGrant);
    }

    static boolean pkceMatches(String challenge, String verifier) {
        if (challenge == null) {
            return true;
        }
        if (verifier == null || verifier.length() < 43 || verifier.length() > 128) {
            return false;
        }
        String computed = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(Secrets.sha256(verifier.getBytes(StandardCharsets.US_ASCII)));
        return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                challenge.getBytes(StandardCharsets.US_ASCII));
    }

    /** A token for the application itself (client_credentials), or for an account. */
    public IssuedToken issueToken(long applicationId, OptionalLong accountId, Set<String> scopes) {
        String token = Secrets.random();
        AuthStore.TokenRow row = jdbi.withHandle(h ->
                store.insertToken(h, applicationId, accountId, Secrets.digest(token), Scopes.join(scopes)));
        return new IssuedToken(row.id(), token, scopes, row.createdAt());
    }

    /** An operator's token for a local account, owned by the command line's own application. */
    public IssuedToken issueOperatorToken(long accountId, Set<String> scopes) {
        if (!Scopes.allKnown(scopes)) {
            throw ApiException.unprocessable("Unknown scope in \"" + Scopes.join(scopes) + "\"");
        }
        Application app = jdbi.withHandle(h -> store.applicationByName(h, OPERATOR_APP)).orElseGet(() ->
                registerApp(OPERATOR_APP, List.of(Application.OUT_OF_BAND), Set.copyOf(Scopes.ALL), null).app());
        return issueToken(app.id(), OptionalLong.of(accountId), scopes);
    }

    /**
     * Revokes a token of this client's; a token of another client or an unknown one is ignored (RFC 7009).
     * Streams opened with it are closed ({@code kill} on its channel, as Mastodon does).
     */
    public void revoke(Application app, String token) {
        if (token == null || token.isBlank()) {
            return;
        }
        jdbi.useTransaction(h -> store.tokenByHash(h, Secrets.digest(token))
                .filter(row -> row.applicationId() == app.id())
                .ifPresent(row -> {
                    store.revokeToken(h, row.id());
                    bus.publish(h, Channels.accessToken(row.id()), "kill", null);
                }));
    }

    @Override
    public Optional<Principal> resolve(String bearerToken) {
        Optional<AuthStore.TokenWithUser> row = jdbi.withHandle(h -> store.tokenWithUser(h, Secrets.digest(bearerToken)))
                .filter(t -> t.token().revokedAt() == null);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        AuthStore.TokenRow t = row.get().token();
        Optional<String> blocked = Optional.empty();
        if (t.accountId().isPresent()) {
            if (!row.get().userFound()) {
                return Optional.empty();
            }
            blocked = Optional.ofNullable(User.loginBlocked(row.get().approved(), row.get().disabled()));
        }
        return Optional.of(new Principal(t.id(), t.applicationId(), t.accountId(), Scopes.parse(t.scopes()), blocked));
    }

    /** Maintenance: deletes authorization codes that expired more than a day ago; returns how many. */
    public int pruneExpiredCodes() {
        return jdbi.withHandle(store::deleteExpiredCodes);
    }

    /** Starts a browser session; returns the cookie value. */
    public String startSession(long accountId, String userAgent, String ip) {
        String token = Secrets.random();
        jdbi.useHandle(h -> store.insertSession(h, accountId, Secrets.digest(token), userAgent, ip));
        return token;
    }

    public OptionalLong sessionAccount(String cookie) {
        if (cookie == null || cookie.isBlank()) {
            return OptionalLong.empty();
        }
        return jdbi.withHandle(h -> store.sessionAccount(h, Secrets.digest(cookie)));
    }

    public void endSession(String cookie) {
        if (cookie != null) {
            jdbi.useHandle(h -> store.deleteSession(h, Secrets.digest(cookie)));
        }
    }
}
