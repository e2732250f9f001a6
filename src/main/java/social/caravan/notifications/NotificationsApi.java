package social.caravan.notifications;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.List;
import java.util.Map;
import java.util.Set;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Page;
import social.caravan.core.http.Params;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;
import social.caravan.statuses.StatusFilters;
import social.caravan.statuses.StatusService;
import social.caravan.timelines.Marker;
import social.caravan.timelines.MarkerService;

/** /api/v1/notifications and the grouped /api/v2/notifications. */
public final class NotificationsApi implements Routes {
    private static final String READ = "read:notifications";
    private static final String WRITE = "write:notifications";
    /** Mastodon's page sizes: 40 notifications or groups by default, 80 at most. */
    private static final int DEFAULT_LIMIT = 40;
    private static final int MAX_LIMIT = 80;
    /** unread_count counts up to 100 unless asked for more, and never past 1,000, as Mastodon's. */
    private static final int DEFAULT_COUNT_LIMIT = 100;
    private static final int MAX_COUNT_LIMIT = 1000;

    private final NotificationService notifications;
    private final NotificationJson json;
    private final MarkerService markers;
    private final Authn authn;
    private final String baseUrl;

    public NotificationsApi(NotificationService notifications, AccountService accounts, AccountJson accountJson,
                            StatusService statuses, StatusFilters filters, MarkerService markers, Authn authn,
                            String baseUrl) {
        this.notifications = notifications;
        this.json = new NotificationJson(notifications, accounts, accountJson, statuses, filters);
        this.markers = markers;
        this.authn = authn;
        this.baseUrl = baseUrl;
    }

    record CountView(int count) {}

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/notifications", this::index);
        routes.get("/api/v1/notifications/unread_count", this::unreadCount);
        routes.get("/api/v1/notifications/{id}", this::show);
        routes.post("/api/v1/notifications/clear", this::clear);
        routes.post("/api/v1/notifications/{id}/dismiss", this::dismiss);
        routes.get("/api/v2/notifications", this::groupIndex);
        routes.get("/api/v2/notifications/unread_count", this::groupUnreadCount);
        routes.get("/api/v2/notifications/{group_key}", this::groupShow);
        routes.post("/api/v2/notifications/{group_key}/dismiss", this::groupDismiss);
        routes.get("/api/v2/notifications/{group_key}/accounts", this::groupAccounts);
    }

    private void index(Context ctx) {
        long account = account(ctx, READ);
        Page page = Page.of(ctx, DEFAULT_LIMIT, MAX_LIMIT);
        List<Notification> found = notifications.page(account, filter(ctx, true), page);
        page.link(ctx, baseUrl, found.stream().map(Notification::id).toList());
        ctx.json(json.render(found, account));
    }

    /** One of the recipient's notifications, rendered as the list renders it, for the user stream. */
    public java.util.Optional<NotificationJson.NotificationView> renderOne(long recipient, long id) {
        return notifications.find(recipient, id).flatMap(n -> json.render(List.of(n), recipient).stream().findFirst());
    }

    private void unreadCount(Context ctx) {
        long account = account(ctx, READ);
        ctx.json(new CountView(notifications.unreadCount(account, filter(ctx, true), lastRead(account), countLimit(ctx))));
    }

    private void show(Context ctx) {
        long account = account(ctx, READ);
        long id = Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound);
        Notification found = notifications.find(account, id).orElseThrow(ApiException::notFound);
        ctx.json(json.render(List.of(found), account).stream().findFirst().orElseThrow(ApiException::notFound));
    }

    private void clear(Context ctx) {
        notifications.clear(account(ctx, WRITE));
        ctx.json(Map.of());
    }

    private void dismiss(Context ctx) {
        long account = account(ctx, WRITE);
        notifications.dismiss(account, Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound));
        ctx.json(Map.of());
    }

    private void groupIndex(Context ctx) {
        long account = account(ctx, READ);
        boolean partialAvatars = partialAvatars(ctx);
        Page page = Page.of(ctx, DEFAULT_LIMIT, MAX_LIMIT);
        List<NotificationService.Group> groups = notifications.groupedPage(account, filter(ctx, false),
                groupedTypes(ctx), page);
        page.link(ctx, baseUrl, groups.stream().map(g -> g.notification().id()).toList());
        ctx.json(json.render(groups, account, partialAvatars));
    }

    private void groupUnreadCount(Context ctx) {
        long account = account(ctx, READ);
        ctx.json(new CountView(notifications.unreadGroupCount(account, filter(ctx, false), groupedTypes(ctx),
                lastRead(account), countLimit(ctx))));
    }

    private void groupShow(Context ctx) {
        long account = account(ctx, READ);
        NotificationService.Group group = notifications.group(account, ctx.pathParam("group_key"))
                .orElseThrow(ApiException::notFound);
        NotificationJson.GroupedView view = json.render(List.of(group), account, false);
        if (view.notificationGroups().isEmpty()) {
            throw ApiException.notFound();
        }
        ctx.json(view);
    }

    private void groupDismiss(Context ctx) {
        notifications.dismissGroup(account(ctx, WRITE), ctx.pathParam("group_key"));
        ctx.json(Map.of());
    }

    private void groupAccounts(Context ctx) {
        long account = account(ctx, READ);
        Page page = Page.of(ctx, DEFAULT_LIMIT, MAX_LIMIT);
        List<Notification> members = notifications.groupMembers(account, ctx.pathParam("group_key"), page);
        page.link(ctx, baseUrl, members.stream().map(Notification::id).toList());
        ctx.json(json.accountList(members.stream().map(Notification::fromAccountId).toList()));
    }

    private long account(Context ctx, String scope) {
        return authn.requireUser(ctx, scope).accountId().getAsLong();
    }

    /** {@code types[]}, {@code exclude_types[]}, {@code include_filtered} and, for v1, {@code account_id}. */
    private static NotificationService.Filter filter(Context ctx, boolean bySender) {
        Params p = Params.of(ctx);
        Long from = null;
        if (bySender && p.string("account_id").filter(s -> !s.isBlank()).isPresent()) {
            // An id that is no number names nobody, so nothing matches, as in Mastodon.
            from = Ids.parse(p.string("account_id").get()).orElse(-1);
        }
        return NotificationService.Filter.of(p.list("types"), p.list("exclude_types"), from,
                p.bool("include_filtered").orElse(false));
    }

    private static Set<String> groupedTypes(Context ctx) {
        return NotificationService.groupedTypes(Params.of(ctx).list("grouped_types"));
    }

    private static boolean partialAvatars(Context ctx) {
        String expand = Params.of(ctx).string("expand_accounts").orElse("full");
        return switch (expand) {
            case "full" -> false;
            case "partial_avatars" -> true;
            default -> throw ApiException.badRequest("Invalid value for 'expand_accounts': '" + expand
                    + "', allowed values are 'full' and 'partial_avatars'");
        };
    }

    private static int countLimit(Context ctx) {
        return Math.max(1, Math.min(Params.of(ctx).integer("limit").orElse(DEFAULT_COUNT_LIMIT), MAX_COUNT_LIMIT));
    }

    /** The notifications marker: what the person has read, on any app. */
    private Long lastRead(long account) {
        return markers.find(account, List.of("notifications")).stream().findFirst().map(Marker::lastReadId).orElse(null);
    }
}
