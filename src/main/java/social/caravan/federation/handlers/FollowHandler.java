package social.caravan.federation.handlers;

import social.caravan.accounts.Account;
import social.caravan.federation.RemoteStatuses;
import social.caravan.relationships.RelationshipService;

/** Follow of a local account: a follow answered with Accept, a request for a locked account, Reject when blocked. */
public final class FollowHandler implements ActivityHandler {
    private final RelationshipService relationships;
    private final RemoteStatuses lookup;

    public FollowHandler(RelationshipService relationships, RemoteStatuses lookup) {
        this.relationships = relationships;
        this.lookup = lookup;
    }

    @Override
    public void handle(Activity a) {
        Account target = lookup.localAccount(a.objectId()).orElseThrow(() -> new Dropped("Follow of " + a.objectId()
                + ", not a local account"));
        if (a.id() == null) {
            throw new Dropped("a Follow without an id cannot be answered");
        }
        relationships.followFromRemote(a.actor().id(), target.id(), a.id());
    }
}
