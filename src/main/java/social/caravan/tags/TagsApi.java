package social.caravan.tags;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.Map;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Page;
import social.caravan.core.http.Params;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;

/**
 * /api/v1/tags/:name (show, follow, unfollow, feature, unfeature), /api/v1/followed_tags,
 * /api/v1/featured_tags (list, create, delete, suggestions) and /api/v1/accounts/:id/featured_tags.
 */
public final class TagsApi implements Routes {
    /** Mastodon pages followed tags 100 at a time, at most 200. */
    static final int FOLLOWED_LIMIT = 100;

    private final TagService tags;
    private final Authn authn;
    private final String baseUrl;

    public TagsApi(TagService tags, Authn authn, String baseUrl) {
        this.tags = tags;
        this.authn = authn;
        this.baseUrl = baseUrl;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/tags/{name}", ctx -> ctx.json(tags.show(ctx.pathParam("name"), viewer(ctx))));
        routes.post("/api/v1/tags/{name}/follow", ctx -> ctx.json(tags.follow(user(ctx, "write:follows"), ctx.pathParam("name"))));
        routes.post("/api/v1/tags/{name}/unfollow",
                ctx -> ctx.json(tags.unfollow(user(ctx, "write:follows"), ctx.pathParam("name"))));
        routes.post("/api/v1/tags/{name}/feature",
                ctx -> ctx.json(tags.featureTag(user(ctx, "write:accounts"), ctx.pathParam("name"))));
        routes.post("/api/v1/tags/{name}/unfeature",
                ctx -> ctx.json(tags.unfeatureTag(user(ctx, "write:accounts"), ctx.pathParam("name"))));
        routes.get("/api/v1/followed_tags", this::followed);
        routes.get("/api/v1/featured_tags", ctx -> ctx.json(tags.featured(user(ctx, "read:accounts"))));
        routes.post("/api/v1/featured_tags", ctx -> {
            long viewer = user(ctx, "write:accounts");
            ctx.json(tags.feature(viewer, Params.of(ctx).required("name")));
        });
        routes.delete("/api/v1/featured_tags/{id}", ctx -> {
            long viewer = user(ctx, "write:accounts");
            tags.unfeature(viewer, Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound));
            ctx.json(Map.of());
        });
        routes.get("/api/v1/featured_tags/suggestions", ctx -> ctx.json(tags.featureSuggestions(user(ctx, "read:accounts"))));
        routes.get("/api/v1/accounts/{id}/featured_tags",
                ctx -> ctx.json(tags.featured(Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound))));
    }

    private void followed(Context ctx) {
        long viewer = user(ctx, "read:follows");
        Page page = Page.of(ctx, FOLLOWED_LIMIT, 2 * FOLLOWED_LIMIT);
        TagService.Paged<TagJson.TagView> followed = tags.followed(viewer, Window.of(page));
        page.link(ctx, baseUrl, followed.pagingKeys());
        ctx.json(followed.items());
    }

    private long user(Context ctx, String scope) {
        return authn.requireUser(ctx, scope).accountId().getAsLong();
    }

    /** Showing a tag needs no token; with one, it must be valid, and following/featuring are the account's. */
    private long viewer(Context ctx) {
        if (Authn.bearer(ctx).isEmpty()) {
            return 0;
        }
        return authn.require(ctx).accountId().orElse(0);
    }
}
