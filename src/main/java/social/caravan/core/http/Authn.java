package social.caravan.core.http;

import io.javalin.http.Context;
import java.util.Optional;

/** Bearer-token authentication and scope checks, answered with Mastodon's statuses and messages. */
public final class Authn {
    private static final String ATTRIBUTE = "caravan.principal";
    private final TokenResolver resolver;

    public Authn(TokenResolver resolver) {
        this.resolver = resolver;
    }

    /** The request's principal when it carries a live token; resolved once per request. */
    public Optional<Principal> optional(Context ctx) {
        Optional<Principal> cached = ctx.attribute(ATTRIBUTE);
        if (cached != null) {
            return cached;
        }
        Optional<Principal> principal = bearer(ctx).flatMap(resolver::resolve);
        ctx.attribute(ATTRIBUTE, principal);
        return principal;
    }

    /** A token holding at least one of {@code anyOfScopes} (any token when none are named). */
    public Principal require(Context ctx, String... anyOfScopes) {
        Principal principal = optional(ctx)
                .orElseThrow(() -> new ApiException(401, "The access token is invalid"));
        if (anyOfScopes.length == 0) {
            return principal;
        }
        for (String scope : anyOfScopes) {
            if (principal.grants(scope)) {
                return principal;
            }
        }
        throw new ApiException(403, "This action is outside the authorized scopes");
    }

    /** As {@link #require}, and the token must belong to an account allowed to act. */
    public Principal requireUser(Context ctx, String... anyOfScopes) {
        Principal principal = require(ctx, anyOfScopes);
        if (principal.accountId().isEmpty()) {
            throw new ApiException(422, "This method requires an authenticated user");
        }
        if (principal.loginBlocked().isPresent()) {
            throw new ApiException(403, principal.loginBlocked().get());
        }
        return principal;
    }

    public static Optional<String> bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        }
        String query = ctx.queryParam("access_token");
        return query == null || query.isBlank() ? Optional.empty() : Optional.of(query);
    }
}
