package social.caravan.reports;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.time.Instant;
import java.util.List;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Params;
import social.caravan.core.http.Principal;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;

/** POST /api/v1/reports: a user reports an account, and some of its statuses, to the moderators. */
public final class ReportsApi implements Routes {
    private final ReportService reports;
    private final AccountService accounts;
    private final AccountJson accountJson;
    private final Authn authn;

    public ReportsApi(ReportService reports, AccountService accounts, AccountJson accountJson, Authn authn) {
        this.reports = reports;
        this.accounts = accounts;
        this.accountJson = accountJson;
        this.authn = authn;
    }

    /** Mastodon's Report entity. */
    public record ReportView(String id, boolean actionTaken, Instant actionTakenAt, String category, String comment,
                             boolean forwarded, Instant createdAt, List<String> statusIds, List<String> ruleIds,
                             AccountJson.AccountView targetAccount) {}

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.post("/api/v1/reports", this::create);
    }

    private void create(Context ctx) {
        Principal principal = authn.requireUser(ctx, "write:reports");
        Params p = Params.of(ctx);
        // Ids that cannot be ids name nothing: Mastodon's find answers 404 for them.
        long target = Ids.parse(p.string("account_id").orElse("")).orElseThrow(ApiException::notFound);
        Report report = reports.file(principal.accountId().getAsLong(), new ReportService.Filing(target,
                ids(p.list("status_ids")), p.string("comment").orElse(null), p.string("category").orElse(null),
                ids(p.list("rule_ids")), principal.applicationId(), p.bool("forward").orElse(false)));
        ctx.json(new ReportView(Long.toString(report.id()), report.actionTakenAt() != null, report.actionTakenAt(),
                report.category(), report.comment(), report.forwarded(), report.createdAt(),
                report.statusIds().stream().map(String::valueOf).toList(),
                report.ruleIds() == null ? null : report.ruleIds().stream().map(String::valueOf).toList(),
                accountJson.render(accounts.find(report.targetAccountId()).orElseThrow(ApiException::notFound))));
    }

    private static List<Long> ids(List<String> raw) {
        return raw.stream().filter(s -> !s.isBlank())
                .map(s -> Ids.parse(s.strip()).orElseThrow(ApiException::notFound)).toList();
    }
}
