package social.caravan.federation.handlers;

import java.util.Map;
import social.caravan.accounts.AccountService;
import social.caravan.federation.AccountPurge;
import social.caravan.federation.Fetcher;
import social.caravan.federation.RemoteAccounts;
import social.caravan.federation.RemoteStatuses;
import social.caravan.relationships.RelationshipService;
import social.caravan.reports.ReportService;
import social.caravan.statuses.StatusService;

/** The one table of activity types this server applies, and their handlers. Other types are dropped. */
public final class Handlers {
    private Handlers() {
    }

    public static Map<String, ActivityHandler> table(AccountService accounts, RelationshipService relationships,
                                                     StatusService statuses,
                                                     ReportService reports, RemoteStatuses remoteStatuses,
                                                     RemoteAccounts remoteAccounts, Fetcher fetcher, AccountPurge purge) {
        return Map.ofEntries(
                Map.entry("Follow", new FollowHandler(relationships, remoteStatuses)),
                Map.entry("Accept", new FollowAnswerHandler(relationships, remoteStatuses, true)),
                Map.entry("Reject", new FollowAnswerHandler(relationships, remoteStatuses, false)),
                Map.entry("Undo", new UndoHandler(relationships, statuses, remoteStatuses)),
                Map.entry("Create", new CreateHandler(remoteStatuses)),
                Map.entry("Update", new UpdateHandler(remoteStatuses, remoteAccounts)),
                Map.entry("Delete", new DeleteHandler(statuses, purge)),
                Map.entry("Announce", new AnnounceHandler(statuses, remoteStatuses)),
                Map.entry("Like", new LikeHandler(statuses, remoteStatuses)),
                Map.entry("Block", new BlockHandler(relationships, remoteStatuses)),
                Map.entry("Flag", new FlagHandler(reports, remoteStatuses)),
                Map.entry("Move", new MoveHandler(accounts, relationships, remoteAccounts, fetcher)),
                Map.entry("Add", new FeaturedHandler(statuses, remoteStatuses, true)),
                Map.entry("Remove", new FeaturedHandler(statuses, remoteStatuses, false)));
    }
}
