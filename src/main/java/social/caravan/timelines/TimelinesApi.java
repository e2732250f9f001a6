package social.caravan.timelines;

import social.caravan.core.db.Window;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.List;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Page;
import social.caravan.core.http.Params;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;
import social.caravan.statuses.StatusFilters;
import social.caravan.statuses.StatusService;

/**
 * /api/v1/timelines/home|public|tag/:hashtag, /api/v1/accounts/:id/statuses, /api/v1/favourites and
 * /api/v1/bookmarks: pages of statuses with Mastodon's limits and Link headers.
 */
public final class TimelinesApi implements Routes {
    /** Mastodon's default and largest page of statuses. */
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 40;

    private final TimelineService timelines;
    private final StatusService statuses;
    private final StatusFilters filters;
    private final Authn authn;
    private final String baseUrl;

    public TimelinesApi(TimelineService timelines, StatusService statuses, StatusFilters filters, Authn authn,
                        String baseUrl) {
        this.timelines = timelines;
        this.statuses = statuses;
        this.filters = filters;
        this.authn = authn;
        this.baseUrl = baseUrl;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/timelines/home", this::home);
        routes.get("/api/v1/timelines/public", this::publicTimeline);
        routes.get("/api/v1/timelines/tag/{hashtag}", this::tag);
        routes.get("/api/v1/accounts/{id}/statuses", this::accountStatuses);
        routes.get("/api/v1/favourites", ctx -> marked(ctx, "read:favourites", TimelineStore.Mark.FAVOURITES));
        routes.get("/api/v1/bookmarks", ctx -> marked(ctx, "read:bookmarks", TimelineStore.Mark.BOOKMARKS));
    }

    /** 206 while the feed is being rebuilt for a returning reader, as Mastodon answers. */
    private void home(Context ctx) {
        long viewer = authn.requireUser(ctx, "read:statuses").accountId().getAsLong();
        Page page = page(ctx);
        FeedService.Home home = timelines.home(viewer, Window.of(page));
        if (home.partial()) {
            ctx.status(206);
        }
        render(ctx, page, viewer, new TimelineStore.Slice(home.entryIds(), home.entryIds()), StatusFilters.Context.HOME);
    }

    private void publicTimeline(Context ctx) {
        long viewer = viewer(ctx);
        Page page = page(ctx);
        Params p = Params.of(ctx);
        render(ctx, page, viewer, timelines.publicTimeline(viewer, origin(p), p.bool("only_media").orElse(false),
                Window.of(page)), StatusFilters.Context.PUBLIC);
    }

    private void tag(Context ctx) {
        long viewer = viewer(ctx);
        Page page = page(ctx);
        Params p = Params.of(ctx);
        String hashtag = ctx.pathParam("hashtag").replaceFirst("^#", "");
        render(ctx, page, viewer, timelines.tag(viewer, hashtag, names(p, "any"), names(p, "all"), names(p, "none"),
                origin(p), p.bool("only_media").orElse(false), Window.of(page)), StatusFilters.Context.PUBLIC);
    }

    private void accountStatuses(Context ctx) {
        long viewer = viewer(ctx);
        long accountId = Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound);
        Page page = page(ctx);
        Params p = Params.of(ctx);
        TimelineStore.AccountFilter filter = new TimelineStore.AccountFilter(p.bool("only_media").orElse(false),
                p.bool("exclude_replies").orElse(false), p.bool("exclude_reblogs").orElse(false),
                p.bool("pinned").orElse(false), p.string("tagged").filter(t -> !t.isBlank()).map(t -> t.replaceFirst("^#", ""))
                        .orElse(null));
        render(ctx, page, viewer, timelines.accountStatuses(viewer, accountId, filter, Window.of(page)),
                StatusFilters.Context.ACCOUNT);
    }

    private void marked(Context ctx, String scope, TimelineStore.Mark mark) {
        long viewer = authn.requireUser(ctx, scope).accountId().getAsLong();
        Page page = page(ctx);
        render(ctx, page, viewer, timelines.marked(viewer, mark, Window.of(page)), StatusFilters.Context.NONE);
    }

    /**
     * Renders the page's statuses with the viewer's filters of {@code context}; the Link header
     * carries its paging keys, which may be hidden ids.
     */
    private void render(Context ctx, Page page, long viewer, TimelineStore.Slice slice, StatusFilters.Context context) {
        page.link(ctx, baseUrl, slice.keys());
        ctx.json(filters.apply(viewer, context, statuses.viewsOfVisible(slice.statusIds(), viewer)));
    }

    private static Page page(Context ctx) {
        return Page.of(ctx, DEFAULT_LIMIT, MAX_LIMIT);
    }

    /** {@code local} and {@code remote} together ask for both, as on Mastodon. */
    private static TimelineStore.Origin origin(Params p) {
        boolean local = p.bool("local").orElse(false);
        boolean remote = p.bool("remote").orElse(false);
        if (local == remote) {
            return TimelineStore.Origin.ALL;
        }
        return local ? TimelineStore.Origin.LOCAL : TimelineStore.Origin.REMOTE;
    }

    private static List<String> names(Params p, String key) {
        return p.list(key).stream().map(n -> n.replaceFirst("^#", "")).filter(n -> !n.isBlank()).toList();
    }

    /** The signed-in account, or 0; a token that cannot read statuses is refused, as Mastodon refuses it. */
    private long viewer(Context ctx) {
        if (Authn.bearer(ctx).isEmpty()) {
            return 0;
        }
        return authn.require(ctx, "read:statuses").accountId().orElse(0);
    }
}
