package social.caravan.search;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import social.caravan.accounts.AccountJson;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Params;
import social.caravan.core.http.Principal;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;
import social.caravan.statuses.StatusFilters;
import social.caravan.statuses.StatusJson;
import social.caravan.statuses.StatusService;
import social.caravan.tags.TagJson;

/** GET /api/v2/search and GET /api/v1/accounts/search. */
public final class SearchApi implements Routes {
    /** Mastodon's page sizes: 20 results per kind (40 at most); 40 accounts (80 at most) for accounts/search. */
    static final int DEFAULT_LIMIT = 20;
    static final int ACCOUNTS_DEFAULT_LIMIT = 40;
    /** Longer queries are refused: no search needs them, and each one costs the database. */
    static final int MAX_QUERY_LENGTH = 2000;

    private final SearchService search;
    private final StatusService statuses;
    private final StatusFilters filters;
    private final AccountJson accountJson;
    private final Authn authn;
    private final String baseUrl;

    public SearchApi(SearchService search, StatusService statuses, StatusFilters filters, AccountJson accountJson,
                     Authn authn, String baseUrl) {
        this.search = search;
        this.statuses = statuses;
        this.filters = filters;
        this.accountJson = accountJson;
        this.authn = authn;
        this.baseUrl = baseUrl;
    }

    /** Mastodon's Tag, with its use over the last days. */
    record TagView(String id, String name, String url, List<HistoryView> history) {}

    /** One day of a tag's use; numbers as strings, the day as Unix time, as Mastodon sends them. */
    record HistoryView(String day, String uses, String accounts) {}

    /** Mastodon's Search. */
    record SearchView(List<AccountJson.AccountView> accounts, List<StatusJson.StatusView> statuses,
                      List<TagView> hashtags) {}

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v2/search", this::search);
        routes.get("/api/v1/accounts/search", this::accounts);
    }

    /**
     * Open to everyone for accounts and hashtags; statuses, {@code offset} and {@code resolve} need
     * a signed-in account. A token, when sent, must allow {@code read:search}.
     */
    private void search(Context ctx) {
        long viewer = Authn.bearer(ctx).isEmpty() ? 0
                : authn.require(ctx, "read:search").accountId().orElse(0);
        Params p = Params.of(ctx);
        String q = query(p);
        if (viewer == 0 && p.string("offset").filter(s -> !s.isEmpty()).isPresent()) {
            throw new ApiException(401, "Search queries pagination is not supported without authentication");
        }
        if (viewer == 0 && p.bool("resolve").orElse(false)) {
            throw new ApiException(401, "Search queries that resolve remote resources are not supported without authentication");
        }
        int limit = Math.min(nonNegative(p.integer("limit")).orElse(DEFAULT_LIMIT), DEFAULT_LIMIT * 2);
        int offset = nonNegative(p.integer("offset")).orElse(0);
        String type = p.string("type").filter(s -> !s.isBlank()).orElse(null);
        SearchService.Results results = search.search(viewer, new SearchService.Query(q, type,
                p.bool("following").orElse(false), p.string("account_id").orElse(null),
                p.bool("exclude_unreviewed").orElse(false), id(p, "max_id").orElse(Long.MAX_VALUE),
                id(p, "min_id").orElse(0), limit, offset, p.bool("resolve").orElse(false)));
        ctx.json(new SearchView(results.accounts().stream().map(accountJson::render).toList(),
                filters.apply(viewer, StatusFilters.Context.NONE, statuses.views(results.statuses(), viewer)),
                results.hashtags().stream().map(this::tag).toList()));
    }

    private void accounts(Context ctx) {
        Principal principal = authn.requireUser(ctx, "read:accounts");
        Params p = Params.of(ctx);
        String q = p.string("q").orElse("");
        tooLong(q);
        int limit = Math.min(nonNegative(p.integer("limit")).orElse(ACCOUNTS_DEFAULT_LIMIT), ACCOUNTS_DEFAULT_LIMIT * 2);
        int offset = nonNegative(p.integer("offset")).orElse(0);
        ctx.json(search.accounts(principal.accountId().getAsLong(), q, p.bool("following").orElse(false), limit, offset)
                .stream().map(accountJson::render).toList());
    }

    private TagView tag(SearchService.Tag t) {
        return new TagView(Long.toString(t.id()), t.name(), TagJson.url(baseUrl, t.name()), t.history().stream()
                .map(d -> new HistoryView(Long.toString(d.day().getEpochSecond()), Long.toString(d.uses()),
                        Long.toString(d.accounts()))).toList());
    }

    /** {@code q} is required, as Rails' {@code params.require} requires it: present and not blank. */
    private static String query(Params p) {
        String q = p.string("q").filter(s -> !s.isBlank())
                .orElseThrow(() -> ApiException.badRequest("param is missing or the value is empty or invalid: q"));
        tooLong(q);
        return q;
    }

    private static void tooLong(String q) {
        if (q.codePointCount(0, q.length()) > MAX_QUERY_LENGTH) {
            throw ApiException.unprocessable("Search query is too long (at most " + MAX_QUERY_LENGTH + " characters)");
        }
    }

    private static OptionalInt nonNegative(OptionalInt value) {
        if (value.isPresent() && value.getAsInt() < 0) {
            throw ApiException.badRequest("Pagination values for `offset` and `limit` must be positive");
        }
        return value;
    }

    private static OptionalLong id(Params p, String key) {
        return p.string(key).filter(s -> !s.isEmpty()).map(s -> {
            OptionalLong id = Ids.parse(s);
            if (id.isEmpty()) {
                throw ApiException.unprocessable("Parameter " + key + " must be an id");
            }
            return id;
        }).orElse(OptionalLong.empty());
    }
}
