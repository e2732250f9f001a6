package social.caravan.core.http;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.util.Optional;
import social.caravan.core.config.Config;
import social.caravan.core.json.Json;

/**
 * Mastodon's default limits: API requests per token (or per address when unauthenticated), and
 * sign-ups per address. Loopback clients are exempt, as on Mastodon: a local proxy or tool is
 * trusted, and behind a proxy the client address comes from {@link ClientAddresses}.
 */
public final class RateLimits {
    private final Config.RateLimits limits;
    private final ClientAddresses addresses;
    private final Authn authn;
    private final RateLimiter limiter;

    public RateLimits(Config.RateLimits limits, ClientAddresses addresses, Authn authn, RateLimiter limiter) {
        this.limits = limits;
        this.addresses = addresses;
        this.authn = authn;
        this.limiter = limiter;
    }

    /** Counts one API request; answers 429 once the window is used up. */
    public void api(Context ctx) {
        InetAddress client = addresses.of(ctx);
        if (exempt(client)) {
            return;
        }
        Optional<Principal> principal = authn.optional(ctx);
        String key = principal.map(p -> "token:" + p.tokenId()).orElse("ip:" + client.getHostAddress());
        enforce(ctx, limiter.hit(key, limits.apiRequests(), limits.apiPeriodSeconds()));
    }

    /** Counts one sign-up attempt from the client's address. */
    public void signUp(Context ctx) {
        InetAddress client = addresses.of(ctx);
        if (exempt(client)) {
            return;
        }
        enforce(ctx, limiter.hit("sign-up:" + client.getHostAddress(), limits.signUps(), limits.signUpPeriodSeconds()));
    }

    private static boolean exempt(InetAddress client) {
        return client == null || client.isLoopbackAddress();
    }

    private static void enforce(Context ctx, RateLimiter.Decision decision) {
        ctx.header("X-RateLimit-Limit", Integer.toString(decision.limit()));
        ctx.header("X-RateLimit-Remaining", Integer.toString(decision.remaining()));
        ctx.header("X-RateLimit-Reset", Json.time(decision.reset()));
        if (!decision.allowed()) {
            throw new ApiException(429, "Too many requests");
        }
    }
}
