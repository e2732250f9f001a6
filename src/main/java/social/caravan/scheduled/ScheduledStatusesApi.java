package social.caravan.scheduled;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Page;
import social.caravan.core.http.Params;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;
import social.caravan.statuses.PostScheduler;
import social.caravan.statuses.StatusService;
import social.caravan.statuses.StatusesApi;

/**
 * /api/v1/scheduled_statuses: list, show, move and cancel posts kept for later. Scheduling itself
 * is {@code POST /api/v1/statuses} with {@code scheduled_at}, which reaches {@link #schedule}.
 */
public final class ScheduledStatusesApi implements Routes, PostScheduler {
    /** Mastodon's default and largest page. */
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 40;

    private final ScheduledStatusService scheduled;
    private final Authn authn;
    private final String baseUrl;

    public ScheduledStatusesApi(ScheduledStatusService scheduled, Authn authn, String baseUrl) {
        this.scheduled = scheduled;
        this.authn = authn;
        this.baseUrl = baseUrl;
    }

    /** Mastodon's ScheduledStatus entity; media do not exist yet, so there are none. */
    public record ScheduledStatusView(String id, Instant scheduledAt, ScheduledParams params, List<Object> mediaAttachments) {
        static ScheduledStatusView of(ScheduledStatus s) {
            return new ScheduledStatusView(Long.toString(s.id()), s.scheduledAt(), s.params(), List.of());
        }
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/scheduled_statuses", this::index);
        routes.get("/api/v1/scheduled_statuses/{id}", this::show);
        routes.put("/api/v1/scheduled_statuses/{id}", this::update);
        routes.delete("/api/v1/scheduled_statuses/{id}", this::delete);
    }

    @Override
    public Object schedule(long authorId, StatusService.NewPost post, Instant scheduledAt) {
        return ScheduledStatusView.of(scheduled.schedule(authorId, post, scheduledAt));
    }

    private void index(Context ctx) {
        long account = authn.requireUser(ctx, "read:statuses").accountId().getAsLong();
        Page page = Page.of(ctx, DEFAULT_LIMIT, MAX_LIMIT);
        List<ScheduledStatus> found = scheduled.page(account, Window.of(page));
        page.link(ctx, baseUrl, found.stream().map(ScheduledStatus::id).toList());
        ctx.json(found.stream().map(ScheduledStatusView::of).toList());
    }

    private void show(Context ctx) {
        long account = authn.requireUser(ctx, "read:statuses").accountId().getAsLong();
        ctx.json(ScheduledStatusView.of(scheduled.get(account, id(ctx))));
    }

    /** Only the time can change, as on Mastodon; without {@code scheduled_at} nothing does. */
    private void update(Context ctx) {
        long account = authn.requireUser(ctx, "write:statuses").accountId().getAsLong();
        long id = id(ctx);
        Instant at = StatusesApi.scheduledAt(Params.of(ctx));
        ctx.json(ScheduledStatusView.of(at == null ? scheduled.get(account, id) : scheduled.reschedule(account, id, at)));
    }

    private void delete(Context ctx) {
        long account = authn.requireUser(ctx, "write:statuses").accountId().getAsLong();
        scheduled.cancel(account, id(ctx));
        ctx.json(Map.of());
    }

    private static long id(Context ctx) {
        return Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound);
    }
}
