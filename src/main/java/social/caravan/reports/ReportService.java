package social.caravan.reports;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.core.http.ApiException;
import social.caravan.instance.InstanceService;
import social.caravan.instance.Rule;
import social.caravan.statuses.Status;
import social.caravan.statuses.StatusService;

/** Reports users file for moderators, checked as Mastodon checks them, and listed for operators. */
public final class ReportService {
    static final int MAX_COMMENT = 1000;
    static final Set<String> CATEGORIES = Set.of("other", "spam", "legal", "violation");

    private final Jdbi jdbi;
    private final ReportStore store = new ReportStore();
    private final AccountService accounts;
    private final StatusService statuses;
    private final InstanceService instance;
    private final ReportEvents events;

    public ReportService(Jdbi jdbi, AccountService accounts, StatusService statuses, InstanceService instance,
                         ReportEvents events) {
        this.jdbi = jdbi;
        this.events = events;
        this.accounts = accounts;
        this.statuses = statuses;
        this.instance = instance;
    }

    /** What POST /api/v1/reports asks for; nulls and empty lists mean not given. */
    public record Filing(long targetAccountId, List<Long> statusIds, String comment, String category,
                         List<Long> ruleIds, Long applicationId, boolean forward) {}

    /**
     * Files a report. As on Mastodon: citing rules makes it a violation whatever the category says;
     * every status must be the reported account's and visible to the reporter (else 404); the
     * rules must exist. With {@code forward}, a report about a remote account is also sent to its
     * server; reports against this server's accounts have nowhere to be forwarded.
     */
    public Report file(long reporterId, Filing f) {
        Account target = accounts.find(f.targetAccountId()).orElseThrow(ApiException::notFound);
        List<Long> wanted = f.statusIds().stream().distinct().toList();
        List<Status> found = statuses.getMany(wanted, reporterId);
        if (found.size() != wanted.size() || found.stream().anyMatch(s -> s.accountId() != f.targetAccountId())) {
            throw ApiException.notFound();
        }
        String comment = f.comment() == null ? "" : f.comment();
        if (comment.codePointCount(0, comment.length()) > MAX_COMMENT) {
            throw ApiException.unprocessable("Validation failed: Comment is too long (maximum is " + MAX_COMMENT + " characters)");
        }
        List<Long> ruleIds = f.ruleIds().isEmpty() ? null : f.ruleIds().stream().distinct().toList();
        String category = ruleIds != null ? "violation"
                : f.category() == null || f.category().isBlank() ? "other" : f.category();
        if (!CATEGORIES.contains(category)) {
            throw ApiException.unprocessable("Validation failed: Category is not included in the list");
        }
        if (ruleIds != null) {
            Set<Long> known = instance.rules().stream().map(Rule::id).collect(Collectors.toSet());
            if (!known.containsAll(ruleIds)) {
                throw ApiException.unprocessable("Validation failed: Rule ids does not reference valid rules");
            }
        }
        // Only a report about another server's account, asked to be forwarded, is sent there (as a Flag).
        boolean forward = f.forward() && !target.local();
        return jdbi.inTransaction(h -> {
            Report report = store.insert(h, reporterId, f.targetAccountId(), wanted, ruleIds, comment, category,
                    f.applicationId(), forward);
            if (forward) {
                events.forwarded(h, report);
            }
            return report;
        });
    }

    /** A report by id, for federation to forward it. */
    public java.util.Optional<Report> find(long id) {
        return jdbi.withHandle(h -> store.find(h, id));
    }

    /** A report with the usernames of who filed it and whom it is about, for operators. */
    public record Listed(Report report, String reporter, String target) {}

    public List<Listed> newest(int limit) {
        List<Report> reports = jdbi.withHandle(h -> store.newest(h, limit));
        Map<Long, String> names = new HashMap<>();
        List<Long> ids = reports.stream().flatMap(r -> Stream.of(r.accountId(), r.targetAccountId()))
                .distinct().toList();
        for (Account a : accounts.findAll(ids)) {
            names.put(a.id(), a.local() ? a.username() : a.username() + "@" + a.domain());
        }
        return reports.stream().map(r -> new Listed(r, names.getOrDefault(r.accountId(), "(deleted)"),
                names.getOrDefault(r.targetAccountId(), "(deleted)"))).toList();
    }
}
