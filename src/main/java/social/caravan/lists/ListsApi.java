package social.caravan.lists;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import social.caravan.accounts.AccountJson;
import social.caravan.core.db.Window;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Page;
import social.caravan.core.http.Params;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;
import social.caravan.statuses.StatusFilters;
import social.caravan.statuses.StatusService;

/**
 * /api/v1/lists (CRUD and members), /api/v1/accounts/:id/lists and /api/v1/timelines/list/:list_id,
 * for the signed-in owner only.
 */
public final class ListsApi implements Routes {
    /** Mastodon's page sizes: members 40 (at most 80, or all with limit=0), statuses 20 (at most 40). */
    static final int ACCOUNTS_LIMIT = 40;
    static final int STATUSES_LIMIT = 20;

    private final ListService lists;
    private final StatusService statuses;
    private final StatusFilters filters;
    private final AccountJson accountJson;
    private final Authn authn;
    private final String baseUrl;

    public ListsApi(ListService lists, StatusService statuses, StatusFilters filters, AccountJson accountJson, Authn authn,
                    String baseUrl) {
        this.filters = filters;
        this.lists = lists;
        this.statuses = statuses;
        this.accountJson = accountJson;
        this.authn = authn;
        this.baseUrl = baseUrl;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/lists", this::index);
        routes.post("/api/v1/lists", this::create);
        routes.get("/api/v1/lists/{id}", this::show);
        routes.put("/api/v1/lists/{id}", this::update);
        routes.patch("/api/v1/lists/{id}", this::update);
        routes.delete("/api/v1/lists/{id}", this::delete);
        routes.get("/api/v1/lists/{id}/accounts", this::members);
        routes.post("/api/v1/lists/{id}/accounts", this::addMembers);
        routes.delete("/api/v1/lists/{id}/accounts", this::removeMembers);
        routes.get("/api/v1/accounts/{id}/lists", this::listsWith);
        routes.get("/api/v1/timelines/list/{id}", this::timeline);
    }

    private void index(Context ctx) {
        long owner = reader(ctx);
        ctx.json(lists.lists(owner).stream().map(UserList::view).toList());
    }

    private void show(Context ctx) {
        long owner = reader(ctx);
        ctx.json(lists.get(owner, id(ctx)).view());
    }

    private void create(Context ctx) {
        long owner = writer(ctx);
        ctx.json(lists.create(owner, changes(ctx)).view());
    }

    private void update(Context ctx) {
        long owner = writer(ctx);
        ctx.json(lists.update(owner, id(ctx), changes(ctx)).view());
    }

    private void delete(Context ctx) {
        long owner = writer(ctx);
        lists.delete(owner, id(ctx));
        ctx.json(Map.of());
    }

    /** Paged by account id as Mastodon pages list members; {@code limit=0} lists them all, without a Link header. */
    private void members(Context ctx) {
        long owner = reader(ctx);
        long listId = id(ctx);
        boolean all = "0".equals(Params.of(ctx).string("limit").orElse(null));
        Page page = all ? null : Page.of(ctx, ACCOUNTS_LIMIT, 2 * ACCOUNTS_LIMIT);
        ListService.Members members = lists.members(owner, listId, page == null ? null : Window.of(page));
        if (page != null) {
            page.link(ctx, baseUrl, members.pagingKeys());
        }
        ctx.json(members.accounts().stream().map(accountJson::render).toList());
    }

    private void addMembers(Context ctx) {
        long owner = writer(ctx);
        long listId = id(ctx);
        lists.addMembers(owner, listId, accountIds(ctx));
        ctx.json(Map.of());
    }

    private void removeMembers(Context ctx) {
        long owner = writer(ctx);
        long listId = id(ctx);
        lists.removeMembers(owner, listId, accountIds(ctx));
        ctx.json(Map.of());
    }

    private void listsWith(Context ctx) {
        long owner = reader(ctx);
        ctx.json(lists.listsWith(owner, id(ctx)).stream().map(UserList::view).toList());
    }

    private void timeline(Context ctx) {
        long owner = reader(ctx);
        long listId = id(ctx);
        Page page = Page.of(ctx, STATUSES_LIMIT, 2 * STATUSES_LIMIT);
        List<Long> ids = lists.timeline(owner, listId, Window.of(page));
        page.link(ctx, baseUrl, ids);
        // List timelines are read as home is: filters in the home context apply.
        ctx.json(filters.apply(owner, StatusFilters.Context.HOME, statuses.viewsOfVisible(ids, owner)));
    }

    private ListService.Changes changes(Context ctx) {
        Params p = Params.of(ctx);
        return new ListService.Changes(p.string("title").orElse(null), p.string("replies_policy").orElse(null),
                p.bool("exclusive").orElse(null));
    }

    /** {@code account_ids[]}; an id that cannot be one names no account, so 404 as Mastodon's lookup answers. */
    private static List<Long> accountIds(Context ctx) {
        List<Long> ids = new ArrayList<>();
        for (String raw : Params.of(ctx).list("account_ids")) {
            ids.add(Ids.parse(raw.strip()).orElseThrow(ApiException::notFound));
        }
        return ids;
    }

    private long reader(Context ctx) {
        return authn.requireUser(ctx, "read:lists").accountId().getAsLong();
    }

    private long writer(Context ctx) {
        return authn.requireUser(ctx, "write:lists").accountId().getAsLong();
    }

    private static long id(Context ctx) {
        return Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound);
    }
}
