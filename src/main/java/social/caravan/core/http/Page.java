package social.caravan.core.http;

import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.StringJoiner;
import social.caravan.core.ids.Ids;

/**
 * Mastodon's pagination: {@code max_id}, {@code since_id}, {@code min_id} and {@code limit}, and an
 * RFC 8288 {@code Link} header whose {@code next} pages back in time and {@code prev} forward.
 */
public record Page(OptionalLong maxId, OptionalLong sinceId, OptionalLong minId, int limit) {

    public static Page of(Context ctx, int defaultLimit, int maxLimit) {
        Params params = Params.of(ctx);
        int limit = params.integer("limit").orElse(defaultLimit);
        return new Page(id(params, "max_id"), id(params, "since_id"), id(params, "min_id"),
                Math.max(1, Math.min(limit, maxLimit)));
    }

    private static OptionalLong id(Params params, String key) {
        return params.string(key).filter(s -> !s.isEmpty()).map(s -> {
            OptionalLong id = Ids.parse(s);
            if (id.isEmpty()) {
                throw ApiException.unprocessable("Parameter " + key + " must be an id");
            }
            return id;
        }).orElse(OptionalLong.empty());
    }

    /** Paging forward (min_id) returns the oldest items after the cursor first, then reverses them. */
    public boolean forward() {
        return minId.isPresent();
    }

    /**
     * Sets the Link header for a page whose items, newest first, span {@code newestId} to
     * {@code oldestId} (paging keys, which may be hidden ids). No header for an empty page.
     */
    public void link(Context ctx, String baseUrl, List<Long> pagingKeysNewestFirst) {
        if (pagingKeysNewestFirst.isEmpty()) {
            return;
        }
        long newest = pagingKeysNewestFirst.get(0);
        long oldest = pagingKeysNewestFirst.get(pagingKeysNewestFirst.size() - 1);
        String next = url(ctx, baseUrl, "max_id", oldest);
        String prev = url(ctx, baseUrl, "min_id", newest);
        ctx.header("Link", "<" + next + ">; rel=\"next\", <" + prev + ">; rel=\"prev\"");
    }

    private String url(Context ctx, String baseUrl, String cursor, long id) {
        StringJoiner query = new StringJoiner("&");
        for (Map.Entry<String, List<String>> entry : ctx.queryParamMap().entrySet()) {
            String key = entry.getKey();
            if (key.equals("max_id") || key.equals("min_id") || key.equals("since_id") || key.equals("limit")) {
                continue;
            }
            for (String value : entry.getValue()) {
                query.add(encode(key) + "=" + encode(value));
            }
        }
        query.add("limit=" + limit);
        query.add(cursor + "=" + id);
        return baseUrl + ctx.path() + "?" + query;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("%5B", "[").replace("%5D", "]");
    }
}
