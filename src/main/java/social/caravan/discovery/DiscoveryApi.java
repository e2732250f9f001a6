package social.caravan.discovery;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import social.caravan.accounts.AccountJson;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Params;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;
import social.caravan.statuses.StatusService;
import social.caravan.tags.TagService;

/**
 * /api/v1/trends (tags, statuses, links), /api/v1/suggestions and /api/v2/suggestions, and
 * /api/v1/directory, with Mastodon's limits and offset paging.
 */
public final class DiscoveryApi implements Routes {
    /** Mastodon's defaults; a page holds at most twice the default. */
    static final int TAGS_LIMIT = 10;
    static final int STATUSES_LIMIT = 20;
    static final int LINKS_LIMIT = 10;
    static final int ACCOUNTS_LIMIT = 40;

    private final DiscoveryService discovery;
    private final TagService tags;
    private final StatusService statuses;
    private final AccountJson accountJson;
    private final Authn authn;
    private final String baseUrl;

    public DiscoveryApi(DiscoveryService discovery, TagService tags, StatusService statuses, AccountJson accountJson,
                        Authn authn, String baseUrl) {
        this.discovery = discovery;
        this.tags = tags;
        this.statuses = statuses;
        this.accountJson = accountJson;
        this.authn = authn;
        this.baseUrl = baseUrl;
    }

    /** Mastodon's Suggestion: its sources, the deprecated single source, and the account. */
    record SuggestionView(String source, List<String> sources, AccountJson.AccountView account) {}

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/trends", this::trendingTags);
        routes.get("/api/v1/trends/tags", this::trendingTags);
        routes.get("/api/v1/trends/statuses", this::trendingStatuses);
        routes.get("/api/v1/trends/links", this::trendingLinks);
        routes.get("/api/v2/suggestions", ctx -> ctx.json(suggestions(ctx).stream()
                .map(s -> new SuggestionView(s.sources().get(0).legacyKey, s.sources().stream().map(x -> x.key).toList(),
                        accountJson.render(s.account())))
                .toList()));
        routes.get("/api/v1/suggestions", ctx -> ctx.json(suggestions(ctx).stream()
                .map(s -> accountJson.render(s.account())).toList()));
        routes.delete("/api/v1/suggestions/{account_id}", ctx -> {
            long viewer = authn.requireUser(ctx, "read").accountId().getAsLong();
            // Mastodon answers {} whatever the id; only a real account is remembered.
            Ids.parse(ctx.pathParam("account_id")).ifPresent(id -> discovery.dismiss(viewer, id));
            ctx.json(Map.of());
        });
        routes.get("/api/v1/directory", this::directory);
    }

    private void trendingTags(Context ctx) {
        long viewer = viewer(ctx);
        int offset = offset(ctx);
        int limit = limit(ctx, TAGS_LIMIT);
        List<Long> ids = limit == 0 ? List.of() : discovery.trendingTags(offset, limit);
        links(ctx, "/api/v1/trends/tags", offset, limit, ids.size() == limit);
        ctx.json(tags.views(ids, viewer));
    }

    private void trendingStatuses(Context ctx) {
        long viewer = viewer(ctx);
        int offset = offset(ctx);
        int limit = limit(ctx, STATUSES_LIMIT);
        List<Long> ids = limit == 0 ? List.of() : discovery.trendingStatuses(viewer, offset, limit);
        links(ctx, "/api/v1/trends/statuses", offset, limit, ids.size() == limit);
        ctx.json(statuses.viewsOf(ids, viewer));
    }

    /** Trending links need link preview cards, which Caravan does not fetch yet: always none. */
    private void trendingLinks(Context ctx) {
        viewer(ctx);
        int offset = offset(ctx);
        int limit = limit(ctx, LINKS_LIMIT);
        // Mastodon offers the next page of links whatever this one held.
        links(ctx, "/api/v1/trends/links", offset, limit, true);
        ctx.json(List.of());
    }

    private List<DiscoveryService.Suggestion> suggestions(Context ctx) {
        long viewer = authn.requireUser(ctx, "read").accountId().getAsLong();
        return discovery.suggestions(viewer, limit(ctx, ACCOUNTS_LIMIT));
    }

    /** Mastodon orders by recent posts unless {@code order=new}; any other value keeps that default. */
    private void directory(Context ctx) {
        long viewer = viewer(ctx);
        Params p = Params.of(ctx);
        boolean newest = p.string("order").filter("new"::equals).isPresent();
        boolean local = p.bool("local").orElse(false);
        int limit = limit(ctx, ACCOUNTS_LIMIT);
        List<AccountJson.AccountView> accounts = limit == 0 ? List.of()
                : discovery.directory(viewer, newest, local, offset(ctx), limit).stream().map(accountJson::render).toList();
        ctx.json(accounts);
    }

    /** Mastodon's limit: the default when absent, else its absolute value up to twice the default. */
    private static int limit(Context ctx, int defaultLimit) {
        var limit = Params.of(ctx).integer("limit");
        return limit.isEmpty() ? defaultLimit : Math.min(Math.abs(limit.getAsInt()), 2 * defaultLimit);
    }

    /** A negative offset is read as none. */
    private static int offset(Context ctx) {
        return Math.max(0, Params.of(ctx).integer("offset").orElse(0));
    }

    /**
     * Offset paging as Mastodon links it: {@code next} when the page may continue, {@code prev} once
     * past the first page; {@code limit} only when the request gave one.
     */
    private void links(Context ctx, String path, int offset, int limit, boolean continues) {
        String given = ctx.queryParam("limit") == null ? "" : "limit=" + limit + "&";
        List<String> links = new ArrayList<>();
        if (continues) {
            links.add("<" + baseUrl + path + "?" + given + "offset=" + (offset + limit) + ">; rel=\"next\"");
        }
        if (offset > limit) {
            links.add("<" + baseUrl + path + "?" + given + "offset=" + (offset - limit) + ">; rel=\"prev\"");
        }
        if (!links.isEmpty()) {
            ctx.header("Link", String.join(", ", links));
        }
    }

    /** These lists need no token; a token given must be valid, and then speaks for its account. */
    private long viewer(Context ctx) {
        if (Authn.bearer(ctx).isEmpty()) {
            return 0;
        }
        return authn.require(ctx).accountId().orElse(0);
    }
}
