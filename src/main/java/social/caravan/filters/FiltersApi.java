package social.caravan.filters;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Deprecation;
import social.caravan.core.http.Params;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;

/** /api/v2/filters with their keywords and statuses, and the deprecated /api/v1/filters. */
public final class FiltersApi implements Routes {
    private static final String READ = "read:filters";
    private static final String WRITE = "write:filters";
    /** When Mastodon deprecated v1 filters. */
    private static final LocalDate V1_DEPRECATED = LocalDate.of(2022, 11, 14);

    private final FilterService filters;
    private final Authn authn;

    public FiltersApi(FilterService filters, Authn authn) {
        this.filters = filters;
        this.authn = authn;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        // The keyword and status routes first: Javalin takes the first route that matches.
        routes.get("/api/v2/filters/keywords/{id}", ctx -> ctx.json(FilterJson.keyword(
                filters.keyword(account(ctx, READ), id(ctx, "id")))));
        routes.put("/api/v2/filters/keywords/{id}", this::updateKeyword);
        routes.delete("/api/v2/filters/keywords/{id}", ctx -> {
            filters.deleteKeyword(account(ctx, WRITE), id(ctx, "id"));
            ctx.json(Map.of());
        });
        routes.get("/api/v2/filters/statuses/{id}", ctx -> ctx.json(FilterJson.statusRule(
                filters.statusRule(account(ctx, READ), id(ctx, "id")))));
        routes.delete("/api/v2/filters/statuses/{id}", ctx -> {
            filters.deleteStatusRule(account(ctx, WRITE), id(ctx, "id"));
            ctx.json(Map.of());
        });
        routes.get("/api/v2/filters/{filter_id}/keywords", ctx -> ctx.json(filters.keywords(account(ctx, READ),
                id(ctx, "filter_id")).stream().map(FilterJson::keyword).toList()));
        routes.post("/api/v2/filters/{filter_id}/keywords", this::addKeyword);
        routes.get("/api/v2/filters/{filter_id}/statuses", ctx -> ctx.json(filters.statusRules(account(ctx, READ),
                id(ctx, "filter_id")).stream().map(FilterJson::statusRule).toList()));
        routes.post("/api/v2/filters/{filter_id}/statuses", this::addStatus);

        routes.get("/api/v2/filters", ctx -> ctx.json(filters.list(account(ctx, READ)).stream()
                .map(FilterJson::filter).toList()));
        routes.post("/api/v2/filters", ctx -> ctx.json(FilterJson.filter(
                filters.create(account(ctx, WRITE), change(Params.of(ctx))))));
        routes.get("/api/v2/filters/{id}", ctx -> ctx.json(FilterJson.filter(
                filters.get(account(ctx, READ), id(ctx, "id")))));
        routes.put("/api/v2/filters/{id}", ctx -> ctx.json(FilterJson.filter(
                filters.update(account(ctx, WRITE), id(ctx, "id"), change(Params.of(ctx))))));
        routes.delete("/api/v2/filters/{id}", ctx -> {
            filters.delete(account(ctx, WRITE), id(ctx, "id"));
            ctx.json(Map.of());
        });

        routes.get("/api/v1/filters", ctx -> {
            Deprecation.mark(ctx, V1_DEPRECATED);
            ctx.json(filters.v1List(account(ctx, READ)).stream().map(FilterJson::v1).toList());
        });
        routes.post("/api/v1/filters", ctx -> {
            Deprecation.mark(ctx, V1_DEPRECATED);
            ctx.json(FilterJson.v1(filters.v1Create(account(ctx, WRITE), v1Change(Params.of(ctx)))));
        });
        routes.get("/api/v1/filters/{id}", ctx -> {
            Deprecation.mark(ctx, V1_DEPRECATED);
            ctx.json(FilterJson.v1(filters.v1Get(account(ctx, READ), id(ctx, "id"))));
        });
        routes.put("/api/v1/filters/{id}", ctx -> {
            Deprecation.mark(ctx, V1_DEPRECATED);
            ctx.json(FilterJson.v1(filters.v1Update(account(ctx, WRITE), id(ctx, "id"), v1Change(Params.of(ctx)))));
        });
        routes.delete("/api/v1/filters/{id}", ctx -> {
            Deprecation.mark(ctx, V1_DEPRECATED);
            filters.v1Delete(account(ctx, WRITE), id(ctx, "id"));
            ctx.json(Map.of());
        });
    }

    private void addKeyword(Context ctx) {
        long account = account(ctx, WRITE);
        Params p = Params.of(ctx);
        ctx.json(FilterJson.keyword(filters.addKeyword(account, id(ctx, "filter_id"), p.string("keyword").orElse(null),
                p.bool("whole_word").orElse(null))));
    }

    private void updateKeyword(Context ctx) {
        long account = account(ctx, WRITE);
        Params p = Params.of(ctx);
        ctx.json(FilterJson.keyword(filters.updateKeyword(account, id(ctx, "id"), p.string("keyword").orElse(null),
                p.bool("whole_word").orElse(null))));
    }

    private void addStatus(Context ctx) {
        long account = account(ctx, WRITE);
        Long statusId = Params.of(ctx).string("status_id").flatMap(s -> Ids.parse(s).stream().boxed().findFirst())
                .orElse(null);
        ctx.json(FilterJson.statusRule(filters.addStatus(account, id(ctx, "filter_id"), statusId)));
    }

    private static FilterService.Change change(Params p) {
        List<FilterService.KeywordChange> keywords = p.objects("keywords_attributes").stream().map(k ->
                new FilterService.KeywordChange(
                        k.string("id").filter(s -> !s.isBlank())
                                .map(s -> Ids.parse(s).orElseThrow(ApiException::notFound)).orElse(null),
                        k.string("keyword").orElse(null), k.bool("whole_word").orElse(null),
                        k.bool("_destroy").orElse(false))).toList();
        return new FilterService.Change(p.string("title").orElse(null), p.given("context") ? p.list("context") : null,
                p.string("filter_action").filter(s -> !s.isBlank()).orElse(null), expiry(p), keywords);
    }

    private static FilterService.V1Change v1Change(Params p) {
        return new FilterService.V1Change(p.string("phrase").orElse(null), p.given("context") ? p.list("context") : null,
                p.bool("irreversible").orElse(null), p.bool("whole_word").orElse(null), expiry(p));
    }

    /** Not sent: left alone; sent empty or null: never expires; else seconds from now. */
    private static FilterService.Expiry expiry(Params p) {
        if (!p.given("expires_in")) {
            return null;
        }
        var seconds = p.integer("expires_in");
        return new FilterService.Expiry(seconds.isPresent() ? seconds.getAsInt() : null);
    }

    private long account(Context ctx, String scope) {
        return authn.requireUser(ctx, scope).accountId().getAsLong();
    }

    private static long id(Context ctx, String name) {
        return Ids.parse(ctx.pathParam(name)).orElseThrow(ApiException::notFound);
    }
}
