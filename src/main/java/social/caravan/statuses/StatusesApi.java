package social.caravan.statuses;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import social.caravan.accounts.AccountJson;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Page;
import social.caravan.core.http.Params;
import social.caravan.core.http.Principal;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;
import social.caravan.polls.PollService;

/** /api/v1/statuses: post, read, delete, threads, favourites, boosts, bookmarks. */
public final class StatusesApi implements Routes {
    /** Mastodon lets GET /api/v1/statuses ask for this many at once. */
    static final int MAX_IDS = 20;

    private final StatusService statuses;
    private final StatusFilters filters;
    private final AccountJson accountJson;
    private final Authn authn;
    private final PostScheduler scheduler;
    private final String baseUrl;

    public StatusesApi(StatusService statuses, StatusFilters filters, AccountJson accountJson, Authn authn,
                       PostScheduler scheduler,
                       String baseUrl) {
        this.statuses = statuses;
        this.filters = filters;
        this.accountJson = accountJson;
        this.authn = authn;
        this.scheduler = scheduler;
        this.baseUrl = baseUrl;
    }

    public record ContextView(List<StatusJson.StatusView> ancestors, List<StatusJson.StatusView> descendants) {}

    /** Mastodon's StatusEdit: one version of a status; {@code poll} only when it had one. */
    public record EditView(String content, String spoilerText, boolean sensitive, java.time.Instant createdAt,
                           AccountJson.AccountView account, List<Object> mediaAttachments, List<Object> emojis,
                           @JsonInclude(JsonInclude.Include.NON_NULL) EditPollView poll) {}

    /** The poll of a version: its options' titles then. */
    public record EditPollView(List<OptionTitle> options) {}

    public record OptionTitle(String title) {}

    /** Mastodon's StatusSource: what the author typed, for editing. */
    public record SourceView(String id, String text, String spoilerText) {}

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.post("/api/v1/statuses", this::create);
        routes.get("/api/v1/statuses", this::showMany);
        routes.get("/api/v1/statuses/{id}", this::show);
        routes.delete("/api/v1/statuses/{id}", this::delete);
        routes.get("/api/v1/statuses/{id}/context", this::context);
        routes.post("/api/v1/statuses/{id}/favourite", ctx -> act(ctx, "write:favourites", statuses::favourite));
        routes.post("/api/v1/statuses/{id}/unfavourite", ctx -> act(ctx, "write:favourites", statuses::unfavourite));
        routes.post("/api/v1/statuses/{id}/bookmark", ctx -> act(ctx, "write:bookmarks", statuses::bookmark));
        routes.post("/api/v1/statuses/{id}/unbookmark", ctx -> act(ctx, "write:bookmarks", statuses::unbookmark));
        routes.post("/api/v1/statuses/{id}/reblog", this::reblog);
        routes.post("/api/v1/statuses/{id}/unreblog", ctx -> act(ctx, "write:statuses", statuses::unreblog));
        routes.put("/api/v1/statuses/{id}", this::edit);
        routes.get("/api/v1/statuses/{id}/history", this::history);
        routes.get("/api/v1/statuses/{id}/source", this::source);
        routes.post("/api/v1/statuses/{id}/pin", ctx -> act(ctx, "write:accounts", statuses::pin));
        routes.post("/api/v1/statuses/{id}/unpin", ctx -> act(ctx, "write:accounts", statuses::unpin));
        routes.post("/api/v1/statuses/{id}/mute", ctx -> act(ctx, "write:mutes", (id, a) -> statuses.muteConversation(id, a, true)));
        routes.post("/api/v1/statuses/{id}/unmute", ctx -> act(ctx, "write:mutes", (id, a) -> statuses.muteConversation(id, a, false)));
        routes.get("/api/v1/statuses/{id}/favourited_by", ctx -> actors(ctx, statuses::favouritedBy));
        routes.get("/api/v1/statuses/{id}/reblogged_by", ctx -> actors(ctx, statuses::rebloggedBy));
        routes.post("/api/v1/statuses/{id}/translate", this::translate);
    }

    /**
     * There is no translation service, so, as Mastodon without one, a status the viewer may see is
     * not allowed to be translated (403) and one they may not is not found.
     */
    private void translate(Context ctx) {
        Principal principal = authn.require(ctx, "read:statuses");
        statuses.get(id(ctx), principal.accountId().orElse(0));
        throw ApiException.forbidden("This action is not allowed");
    }

    private void create(Context ctx) {
        Principal principal = authn.requireUser(ctx, "write:statuses");
        Params p = Params.of(ctx);
        if (!p.list("media_ids").isEmpty()) {
            throw ApiException.unprocessable("Validation failed: Media attachments are not supported by this server yet");
        }
        Long inReplyTo = null;
        if (p.string("in_reply_to_id").filter(s -> !s.isBlank()).isPresent()) {
            inReplyTo = Ids.parse(p.string("in_reply_to_id").get()).stream().boxed().findFirst()
                    .orElseThrow(() -> ApiException.unprocessable(
                            "The post you are trying to reply to does not appear to exist."));
        }
        StatusService.NewPost post = new StatusService.NewPost(
                p.string("status").orElse(null), p.string("spoiler_text").orElse(null), p.bool("sensitive").orElse(null),
                p.string("visibility").orElse(null), p.string("language").orElse(null), inReplyTo,
                ctx.header("Idempotency-Key"), principal.applicationId(), PollService.Draft.of(p).orElse(null));
        long author = principal.accountId().getAsLong();
        // As on Mastodon, a scheduled_at already past posts at once.
        Instant scheduledAt = scheduledAt(p);
        if (scheduledAt != null && scheduledAt.isAfter(Instant.now())) {
            ctx.json(scheduler.schedule(author, post, scheduledAt));
            return;
        }
        Status status = statuses.create(author, post);
        ctx.json(filters.apply(author, statuses.view(status, author)));
    }

    /** An ISO 8601 time (UTC when it names no offset), or null when absent; Mastodon's 422 when it is none. */
    public static Instant scheduledAt(Params p) {
        String text = p.string("scheduled_at").map(String::strip).orElse("");
        if (text.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw ApiException.unprocessable("Record invalid");
            }
        }
    }

    private void show(Context ctx) {
        long viewer = viewer(ctx);
        ctx.json(filters.apply(viewer, statuses.view(statuses.get(id(ctx), viewer), viewer)));
    }

    private void showMany(Context ctx) {
        long viewer = viewer(ctx);
        List<Long> ids = new ArrayList<>();
        for (String raw : Params.of(ctx).list("id")) {
            OptionalLong id = Ids.parse(raw);
            id.ifPresent(ids::add);
        }
        if (ids.size() > MAX_IDS) {
            throw ApiException.unprocessable("Too many ids: at most " + MAX_IDS);
        }
        ctx.json(filters.apply(viewer, StatusFilters.Context.NONE, statuses.viewsOf(ids, viewer)));
    }

    private void delete(Context ctx) {
        long author = authn.requireUser(ctx, "write:statuses").accountId().getAsLong();
        Status deleted = statuses.delete(id(ctx), author);
        ctx.json(statuses.viewWithSource(deleted, author));
    }

    private void context(Context ctx) {
        long viewer = viewer(ctx);
        StatusService.Thread thread = statuses.context(id(ctx), viewer);
        StatusFilters.Context in = StatusFilters.Context.THREAD;
        ctx.json(new ContextView(filters.apply(viewer, in, statuses.views(thread.ancestors(), viewer)),
                filters.apply(viewer, in, statuses.views(thread.descendants(), viewer))));
    }

    private void reblog(Context ctx) {
        long account = authn.requireUser(ctx, "write:statuses").accountId().getAsLong();
        Status reblog = statuses.reblog(id(ctx), account, Params.of(ctx).string("visibility").orElse(null));
        ctx.json(filters.apply(account, statuses.view(reblog, account)));
    }

    private void edit(Context ctx) {
        long author = authn.requireUser(ctx, "write:statuses").accountId().getAsLong();
        Params p = Params.of(ctx);
        if (!p.list("media_ids").isEmpty()) {
            throw ApiException.unprocessable("Validation failed: Media attachments are not supported by this server yet");
        }
        Status edited = statuses.edit(id(ctx), author, new StatusService.Change(p.string("status").orElse(null),
                p.string("spoiler_text").orElse(null), p.bool("sensitive").orElse(null), p.string("language").orElse(null),
                PollService.Draft.of(p).orElse(null)));
        ctx.json(filters.apply(author, statuses.view(edited, author)));
    }

    private void history(Context ctx) {
        long viewer = viewer(ctx);
        Status status = statuses.get(id(ctx), viewer);
        AccountJson.AccountView author = statuses.view(status, viewer).account();
        ctx.json(statuses.history(status.id(), viewer).stream().map(v -> new EditView(v.content(), v.spoilerText(),
                v.sensitive(), v.at(), author, List.of(), StatusJson.jsonList(v.emojis()), v.pollOptions() == null ? null
                        : new EditPollView(v.pollOptions().stream().map(OptionTitle::new).toList()))).toList());
    }

    private void source(Context ctx) {
        long author = authn.requireUser(ctx, "read:statuses").accountId().getAsLong();
        Status status = statuses.get(id(ctx), author);
        if (status.accountId() != author) {
            throw ApiException.notFound();
        }
        ctx.json(new SourceView(Long.toString(status.id()), status.text(), status.spoilerText()));
    }

    private interface ActorsQuery {
        StatusService.Actors page(long statusId, long viewer, Page page);
    }

    /** Who favourited or boosted: accounts, paged by the hidden favourite or boost ids, as Mastodon pages them. */
    private void actors(Context ctx, ActorsQuery query) {
        long viewer = viewer(ctx);
        Page page = Page.of(ctx, 40, 80);
        StatusService.Actors actors = query.page(id(ctx), viewer, page);
        page.link(ctx, baseUrl, actors.pagingKeys());
        ctx.json(actors.accounts().stream().map(accountJson::render).toList());
    }

    private interface Action {
        Status apply(long statusId, long accountId);
    }

    private void act(Context ctx, String scope, Action action) {
        long account = authn.requireUser(ctx, scope).accountId().getAsLong();
        ctx.json(filters.apply(account, statuses.view(action.apply(id(ctx), account), account)));
    }

    /** The signed-in account, or 0; a token that cannot read statuses is refused, as Mastodon refuses it. */
    private long viewer(Context ctx) {
        if (Authn.bearer(ctx).isEmpty()) {
            return 0;
        }
        return authn.require(ctx, "read:statuses").accountId().orElse(0);
    }

    private static long id(Context ctx) {
        return Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound);
    }
}
