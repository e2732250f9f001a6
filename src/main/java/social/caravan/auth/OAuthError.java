package social.caravan.auth;

import social.caravan.core.http.ApiException;

/** RFC 6749 errors, with the statuses Mastodon (Doorkeeper) answers them with. */
final class OAuthError {
    private OAuthError() {}

    static ApiException invalidClient() {
        return new ApiException(401, "invalid_client",
                "Client authentication failed: the client is unknown, the secret is wrong, or none was sent.", null);
    }

    static ApiException invalidGrant() {
        return new ApiException(400, "invalid_grant",
                "The authorization grant is invalid, expired, already used, was issued to another client, "
                        + "or does not match the redirect URI or the PKCE verifier.", null);
    }

    static ApiException invalidRequest(String what) {
        return new ApiException(400, "invalid_request", what, null);
    }

    static ApiException invalidScope() {
        return new ApiException(400, "invalid_scope", "The requested scope is unknown, malformed, "
                + "or more than the application registered.", null);
    }

    static ApiException unsupportedGrantType() {
        return new ApiException(400, "unsupported_grant_type",
                "Supported grant types are authorization_code and client_credentials.", null);
    }
}
