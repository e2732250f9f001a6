package social.caravan.federation.handlers;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import social.caravan.accounts.Account;
import social.caravan.core.http.ApiException;
import social.caravan.federation.RemoteStatuses;
import social.caravan.reports.ReportService;
import social.caravan.statuses.Status;
import tools.jackson.databind.JsonNode;

/**
 * Flag (a report from another server's moderators or people) of a local account and some of its
 * statuses: a report by the flagging account, as operators read them with {@code caravan reports}.
 */
public final class FlagHandler implements ActivityHandler {
    static final int MAX_COMMENT = 5000;
    private final ReportService reports;
    private final RemoteStatuses lookup;

    public FlagHandler(ReportService reports, RemoteStatuses lookup) {
        this.reports = reports;
        this.lookup = lookup;
    }

    @Override
    public void handle(Activity a) {
        Account target = null;
        List<Status> cited = new ArrayList<>();
        JsonNode objects = a.json().path("object");
        for (JsonNode item : objects.isArray() ? objects.values() : List.of(objects)) {
            String uri = Activity.idOf(item);
            Optional<Account> account = lookup.localAccount(uri);
            if (account.isPresent() && target == null) {
                target = account.get();
                continue;
            }
            if (lookup.localId(uri).isPresent()) {
                lookup.find(uri).ifPresent(cited::add);
            }
        }
        if (target == null) {
            throw new Dropped("Flag of no local account");
        }
        long targetId = target.id();
        List<Long> statusIds = cited.stream().filter(s -> s.accountId() == targetId).map(Status::id).toList();
        String content = Activity.text(a.json(), "content");
        String comment = content == null ? "" : content.length() > MAX_COMMENT ? content.substring(0, MAX_COMMENT) : content;
        try {
            reports.file(a.actor().id(), new ReportService.Filing(targetId, statusIds, comment, "other", List.of(), null, false));
        } catch (ApiException e) {
            // Statuses the reporting account may not see: the report stands without them.
            reports.file(a.actor().id(), new ReportService.Filing(targetId, List.of(), comment, "other", List.of(), null, false));
        }
    }
}
