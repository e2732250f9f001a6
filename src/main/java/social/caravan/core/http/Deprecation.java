package social.caravan.core.http;

import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The {@code Deprecation} header (RFC 9745) Mastodon sends on routes it keeps for old apps:
 * {@code @} and the Unix time of the day the route was deprecated, midnight UTC.
 */
public final class Deprecation {
    private Deprecation() {}

    /** Marks the response; call it before anything can refuse the request, so refusals carry it too. */
    public static void mark(Context ctx, LocalDate since) {
        ctx.header("Deprecation", "@" + since.atStartOfDay(ZoneOffset.UTC).toEpochSecond());
    }
}
