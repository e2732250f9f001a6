package social.caravan.core.http;

import java.util.Optional;

/** Looks up a bearer token; the auth room implements it. */
public interface TokenResolver {
    /** The principal of a live token; empty when the token is unknown, revoked or expired. */
    Optional<Principal> resolve(String bearerToken);
}
