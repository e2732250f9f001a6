package social.caravan.core.http;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Who a bearer token speaks for: an account (absent for client-credentials app tokens), through
 * an application, with a set of OAuth scopes. {@code loginBlocked} says why the account may not
 * act yet (pending approval, disabled), as Mastodon's 403 words it.
 */
public record Principal(long tokenId, long applicationId, OptionalLong accountId, Set<String> scopes,
                        Optional<String> loginBlocked) {

    /** Whether the token's scopes grant {@code required}, by Mastodon's scope hierarchy. */
    public boolean grants(String required) {
        return Scopes.grants(scopes, required);
    }
}
