package social.caravan.federation.handlers;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.federation.FetchFailed;
import social.caravan.federation.Fetcher;
import social.caravan.federation.RemoteAccounts;
import social.caravan.relationships.RelationshipService;
import tools.jackson.databind.JsonNode;

/**
 * Move of the actor to another remote account, as Mastodon applies it. The target's actor document is
 * fetched afresh and must name the actor in {@code alsoKnownAs}; then the actor is recorded as moved
 * (the client API's {@code moved}, and it takes no new followers), and its local followers, blockers and
 * muters carry over to the target in a job ({@link RelationshipService#carryOver}). A Move to where the actor has
 * already moved changes nothing.
 */
public final class MoveHandler implements ActivityHandler {
    private static final Logger log = LoggerFactory.getLogger(MoveHandler.class);
    private final AccountService accountService;
    private final RelationshipService relationships;
    private final RemoteAccounts accounts;
    private final Fetcher fetcher;

    public MoveHandler(AccountService accountService, RelationshipService relationships, RemoteAccounts accounts,
                       Fetcher fetcher) {
        this.accountService = accountService;
        this.relationships = relationships;
        this.accounts = accounts;
        this.fetcher = fetcher;
    }

    @Override
    public boolean fetches(Activity a) {
        return true;
    }

    @Override
    public void handle(Activity a) {
        String target = Activity.idOf(a.json().path("target"));
        if (!a.actorUri().equals(a.objectId()) || target == null) {
            throw new Dropped("Move of another account, or to nowhere");
        }
        if (target.equals(a.actorUri())) {
            throw new Dropped("Move of " + target + " to itself");
        }
        JsonNode moved;
        try {
            moved = fetcher.fetchActivity(target).json();
        } catch (FetchFailed e) {
            throw new Dropped("Move to " + target + ", which could not be fetched: " + e.getMessage());
        }
        JsonNode aliases = moved.path("alsoKnownAs");
        boolean confirmed = false;
        for (JsonNode alias : aliases.isArray() ? aliases.values() : List.of(aliases)) {
            confirmed |= a.actorUri().equals(Activity.idOf(alias));
        }
        if (!confirmed) {
            throw new Dropped("Move to " + target + ", which does not name " + a.actorUri() + " in alsoKnownAs");
        }
        Account newAccount = accounts.resolveUri(target).filter(x -> !x.local())
                .orElseThrow(() -> new Dropped("Move to " + target + ", which could not be resolved"));
        if (!accountService.recordMove(a.actor().id(), newAccount.id())) {
            throw new Dropped(a.actorUri() + " has already moved to " + target);
        }
        relationships.carryOverLater(a.actor().id(), newAccount.id());
        log.info("{} moved to {}; its local followers, blockers and muters carry over in a job", a.actorUri(), target);
    }
}
