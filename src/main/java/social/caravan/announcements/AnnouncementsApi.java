package social.caravan.announcements;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import social.caravan.accounts.AccountJson;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;
import social.caravan.tags.TagJson;

/**
 * /api/v1/announcements: what the operators announce, read, dismissed and reacted to. Mastodon
 * lists every published announcement, dismissed ones too ({@code read} says which); it accepts and
 * ignores {@code with_dismissed}, and so does this.
 */
public final class AnnouncementsApi implements Routes {
    private final AnnouncementService announcements;
    private final AccountJson accountJson;
    private final Authn authn;
    private final String baseUrl;

    public AnnouncementsApi(AnnouncementService announcements, AccountJson accountJson, Authn authn, String baseUrl) {
        this.announcements = announcements;
        this.accountJson = accountJson;
        this.authn = authn;
        this.baseUrl = baseUrl;
    }

    public record AccountView(String id, String username, String url, String acct) {}

    public record TagView(String name, String url) {}

    public record ReactionView(String name, int count, boolean me) {}

    /** Mastodon's Announcement entity; statuses and custom emoji are not linked from announcements yet. */
    public record AnnouncementView(String id, String content, Instant startsAt, Instant endsAt, boolean allDay,
                                   Instant publishedAt, Instant updatedAt, boolean read, List<AccountView> mentions,
                                   List<Object> statuses, List<TagView> tags, List<Object> emojis,
                                   List<ReactionView> reactions) {}

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/announcements", this::index);
        routes.post("/api/v1/announcements/{id}/dismiss", this::dismiss);
        routes.put("/api/v1/announcements/{id}/reactions/{name}", ctx -> {
            long account = authn.requireUser(ctx, "write:favourites").accountId().getAsLong();
            announcements.react(account, id(ctx), ctx.pathParam("name"));
            ctx.json(Map.of());
        });
        routes.delete("/api/v1/announcements/{id}/reactions/{name}", ctx -> {
            long account = authn.requireUser(ctx, "write:favourites").accountId().getAsLong();
            announcements.unreact(account, id(ctx), ctx.pathParam("name"));
            ctx.json(Map.of());
        });
    }

    /** Any user token will do, as on Mastodon; without one the answer is Mastodon's 422. */
    private void index(Context ctx) {
        if (authn.optional(ctx).filter(p -> p.accountId().isPresent()).isEmpty()) {
            throw ApiException.unprocessable("This method requires an authenticated user");
        }
        long viewer = authn.requireUser(ctx).accountId().getAsLong();
        ctx.json(announcements.shown(viewer).stream().map(this::render).toList());
    }

    private void dismiss(Context ctx) {
        long account = authn.requireUser(ctx, "write:accounts").accountId().getAsLong();
        announcements.dismiss(account, id(ctx));
        ctx.json(Map.of());
    }

    /** One announcement showing now, for a user stream's {@code announcement} event. */
    public java.util.Optional<AnnouncementView> renderOne(long viewer, long id) {
        return announcements.shownOne(viewer, id).map(this::render);
    }

    private AnnouncementView render(AnnouncementService.Shown shown) {
        Announcement a = shown.announcement();
        return new AnnouncementView(Long.toString(a.id()), a.content(), a.startsAt(), a.endsAt(), a.allDay(),
                a.publishedAt(), a.updatedAt(), shown.read(),
                shown.mentions().stream().map(m -> new AccountView(Long.toString(m.id()), m.username(),
                        accountJson.profileUrl(m), m.local() ? m.username() : m.username() + "@" + m.domain())).toList(),
                List.of(), a.tags().stream().map(t -> new TagView(t, TagJson.url(baseUrl, t))).toList(), List.of(),
                shown.reactions().stream().map(r -> new ReactionView(r.name(), r.count(), r.me())).toList());
    }

    private static long id(Context ctx) {
        return Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound);
    }
}
