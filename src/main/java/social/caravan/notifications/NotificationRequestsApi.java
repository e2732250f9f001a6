package social.caravan.notifications;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
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

/**
 * The notification policy (/api/v2/notifications/policy and the older v1 form) and notification
 * requests (/api/v1/notifications/requests). Registered before {@link NotificationsApi}, whose
 * {@code /notifications/{id}} routes would otherwise take {@code policy} and {@code requests}.
 */
public final class NotificationRequestsApi implements Routes {
    private static final String READ = "read:notifications";
    private static final String WRITE = "write:notifications";
    /** Requests page by 40, 80 at most (Mastodon's DEFAULT_ACCOUNTS_LIMIT and its double). */
    private static final int DEFAULT_LIMIT = 40;
    private static final int MAX_LIMIT = 80;

    private final NotificationPolicies policies;
    private final NotificationJson json;
    private final Authn authn;
    private final String baseUrl;

    public NotificationRequestsApi(NotificationService notifications, AccountService accounts, AccountJson accountJson,
                                   StatusService statuses, StatusFilters filters, Authn authn, String baseUrl) {
        this.policies = notifications.policies();
        this.json = new NotificationJson(notifications, accounts, accountJson, statuses, filters);
        this.authn = authn;
        this.baseUrl = baseUrl;
    }

    record SummaryView(long pendingRequestsCount, long pendingNotificationsCount) {}

    /** Mastodon's NotificationPolicy. */
    record PolicyView(String forNotFollowing, String forNotFollowers, String forNewAccounts, String forPrivateMentions,
                      String forLimitedAccounts, SummaryView summary) {}

    /** Mastodon's V1::NotificationPolicy: filtering is anything but accept. */
    record V1PolicyView(boolean filterNotFollowing, boolean filterNotFollowers, boolean filterNewAccounts,
                        boolean filterPrivateMentions, SummaryView summary) {}

    record MergedView(boolean merged) {}

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v2/notifications/policy", ctx -> ctx.json(v2(policies.policy(account(ctx, READ)))));
        routes.patch("/api/v2/notifications/policy", this::updateV2);
        routes.get("/api/v1/notifications/policy", ctx -> ctx.json(v1(policies.policy(account(ctx, READ)))));
        routes.put("/api/v1/notifications/policy", this::updateV1);
        routes.get("/api/v1/notifications/requests", this::index);
        routes.get("/api/v1/notifications/requests/merged", this::merged);
        routes.post("/api/v1/notifications/requests/accept", this::acceptAll);
        routes.post("/api/v1/notifications/requests/dismiss", this::dismissAll);
        routes.get("/api/v1/notifications/requests/{id}", this::show);
        routes.post("/api/v1/notifications/requests/{id}/accept", this::accept);
        routes.post("/api/v1/notifications/requests/{id}/dismiss", this::dismiss);
    }

    private void updateV2(Context ctx) {
        long account = account(ctx, WRITE);
        Params p = Params.of(ctx);
        UnaryOperator<NotificationPolicy> changes = old -> new NotificationPolicy(
                p.string("for_not_following").orElse(old.forNotFollowing()),
                p.string("for_not_followers").orElse(old.forNotFollowers()),
                p.string("for_new_accounts").orElse(old.forNewAccounts()),
                p.string("for_private_mentions").orElse(old.forPrivateMentions()),
                p.string("for_limited_accounts").orElse(old.forLimitedAccounts()));
        ctx.json(v2(policies.update(account, changes)));
    }

    /** The v1 booleans: true filters, false accepts; a field left out keeps its value, drop included. */
    private void updateV1(Context ctx) {
        long account = account(ctx, WRITE);
        Params p = Params.of(ctx);
        UnaryOperator<NotificationPolicy> changes = old -> new NotificationPolicy(
                v1Value(p, "filter_not_following", old.forNotFollowing()),
                v1Value(p, "filter_not_followers", old.forNotFollowers()),
                v1Value(p, "filter_new_accounts", old.forNewAccounts()),
                v1Value(p, "filter_private_mentions", old.forPrivateMentions()),
                old.forLimitedAccounts());
        ctx.json(v1(policies.update(account, changes)));
    }

    private static String v1Value(Params p, String key, String old) {
        return p.bool(key).map(filter -> filter ? NotificationPolicy.FILTER : NotificationPolicy.ACCEPT).orElse(old);
    }

    private static PolicyView v2(NotificationPolicies.Summarized s) {
        NotificationPolicy p = s.policy();
        return new PolicyView(p.forNotFollowing(), p.forNotFollowers(), p.forNewAccounts(), p.forPrivateMentions(),
                p.forLimitedAccounts(), summary(s));
    }

    private static V1PolicyView v1(NotificationPolicies.Summarized s) {
        NotificationPolicy p = s.policy();
        return new V1PolicyView(filters(p.forNotFollowing()), filters(p.forNotFollowers()), filters(p.forNewAccounts()),
                filters(p.forPrivateMentions()), summary(s));
    }

    private static boolean filters(String value) {
        return !value.equals(NotificationPolicy.ACCEPT);
    }

    private static SummaryView summary(NotificationPolicies.Summarized s) {
        return new SummaryView(s.pendingRequests(), s.pendingNotifications());
    }

    private void index(Context ctx) {
        long account = account(ctx, READ);
        Page page = Page.of(ctx, DEFAULT_LIMIT, MAX_LIMIT);
        List<NotificationRequest> found = policies.requests(account, page);
        page.link(ctx, baseUrl, found.stream().map(NotificationRequest::id).toList());
        ctx.json(json.requests(found, account));
    }

    private void show(Context ctx) {
        long account = account(ctx, READ);
        NotificationRequest request = policies.request(account, id(ctx));
        ctx.json(json.requests(List.of(request), account).stream().findFirst().orElseThrow(ApiException::notFound));
    }

    /** Accepting merges in the same transaction, so there is never a merge still running. */
    private void merged(Context ctx) {
        account(ctx, READ);
        ctx.json(new MergedView(true));
    }

    private void accept(Context ctx) {
        policies.accept(account(ctx, WRITE), id(ctx));
        ctx.json(Map.of());
    }

    private void dismiss(Context ctx) {
        policies.dismiss(account(ctx, WRITE), id(ctx));
        ctx.json(Map.of());
    }

    private void acceptAll(Context ctx) {
        policies.acceptAll(account(ctx, WRITE), ids(ctx));
        ctx.json(Map.of());
    }

    private void dismissAll(Context ctx) {
        policies.dismissAll(account(ctx, WRITE), ids(ctx));
        ctx.json(Map.of());
    }

    private long account(Context ctx, String scope) {
        return authn.requireUser(ctx, scope).accountId().getAsLong();
    }

    private static long id(Context ctx) {
        return Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound);
    }

    /** {@code id[]}: ids that are no number name no request. */
    private static List<Long> ids(Context ctx) {
        return Params.of(ctx).list("id").stream().map(Ids::parse).filter(OptionalLong::isPresent)
                .map(OptionalLong::getAsLong).distinct().toList();
    }
}
