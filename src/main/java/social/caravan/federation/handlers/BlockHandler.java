package social.caravan.federation.handlers;

import social.caravan.accounts.Account;
import social.caravan.federation.RemoteStatuses;
import social.caravan.relationships.RelationshipService;

/** Block of a local account: follows both ways end, as when a local account blocks. */
public final class BlockHandler implements ActivityHandler {
    private final RelationshipService relationships;
    private final RemoteStatuses lookup;

    public BlockHandler(RelationshipService relationships, RemoteStatuses lookup) {
        this.relationships = relationships;
        this.lookup = lookup;
    }

    @Override
    public void handle(Activity a) {
        Account target = lookup.localAccount(a.objectId())
                .orElseThrow(() -> new Dropped("Block of " + a.objectId() + ", not a local account"));
        relationships.block(a.actor().id(), target.id());
    }
}
