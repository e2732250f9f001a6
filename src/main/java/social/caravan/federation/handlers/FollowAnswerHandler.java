package social.caravan.federation.handlers;

import java.util.Optional;
import social.caravan.federation.RemoteStatuses;
import social.caravan.relationships.RelationshipService;

/**
 * Accept or Reject of a local account's Follow, named by its id or embedded: an accepted request
 * becomes a follow; a rejection ends the request, or the follow.
 */
public final class FollowAnswerHandler implements ActivityHandler {
    private final RelationshipService relationships;
    private final RemoteStatuses lookup;
    private final boolean accept;

    public FollowAnswerHandler(RelationshipService relationships, RemoteStatuses lookup, boolean accept) {
        this.relationships = relationships;
        this.lookup = lookup;
        this.accept = accept;
    }

    @Override
    public void handle(Activity a) {
        String objectType = a.objectType();
        if (objectType != null && !objectType.equals("Follow")) {
            throw new Dropped(a.type() + " of a " + objectType + " is not supported");
        }
        Optional<Long> follower = Optional.empty();
        if (a.object() != null) {
            String followed = Activity.idOf(a.object().path("object"));
            if (followed != null && !followed.equals(a.actorUri())) {
                throw new Dropped(a.type() + " of a Follow of another account");
            }
            follower = lookup.localAccount(Activity.idOf(a.object().path("actor"))).map(account -> account.id());
        }
        if (follower.isEmpty() && a.objectId() != null) {
            follower = relationships.followerByUri(a.actor().id(), a.objectId());
        }
        long followerId = follower.orElseThrow(() -> new Dropped(a.type() + " of no Follow of ours"));
        if (accept) {
            relationships.acceptedByRemote(followerId, a.actor().id());
        } else {
            relationships.rejectedByRemote(followerId, a.actor().id());
        }
    }
}
