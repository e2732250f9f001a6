package social.caravan.federation.handlers;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.accounts.Account;
import social.caravan.federation.FetchFailed;
import social.caravan.federation.Fetcher;
import social.caravan.federation.RemoteAccounts;
import social.caravan.relationships.RelationshipService;
import tools.jackson.databind.JsonNode;

/**
 * Move of the actor to a new account, as best effort: when the new account names the old one in its
 * {@code alsoKnownAs}, the actor's local followers follow the new account and stop following the old.
 */
public final class MoveHandler implements ActivityHandler {
    private static final Logger log = LoggerFactory.getLogger(MoveHandler.class);
    private final RelationshipService relationships;
    private final RemoteAccounts accounts;
    private final Fetcher fetcher;

    public MoveHandler(RelationshipService relationships, RemoteAccounts accounts, Fetcher fetcher) {
        this.relationships = relationships;
        this.accounts = accounts;
        this.fetcher = fetcher;
    }

    @Override
    public void handle(Activity a) {
        String target = Activity.idOf(a.json().path("target"));
        if (!a.actorUri().equals(a.objectId()) || target == null) {
            throw new Dropped("Move of another account, or to nowhere");
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
        List<Long> followers = relationships.localFollowers(a.actor().id());
        for (long follower : followers) {
            relationships.follow(follower, newAccount.id(), new RelationshipService.FollowOptions(null, null, null));
            relationships.unfollow(follower, a.actor().id());
        }
        log.info("{} moved to {}: {} local followers now follow it", a.actorUri(), target, followers.size());
    }
}
