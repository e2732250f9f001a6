package social.caravan.federation.handlers;

import java.util.Optional;
import social.caravan.accounts.Account;
import social.caravan.federation.RemoteStatuses;
import social.caravan.relationships.RelationshipService;
import social.caravan.statuses.Status;
import social.caravan.statuses.StatusService;
import tools.jackson.databind.JsonNode;

/**
 * Undo of the actor's own Follow, Like, Announce, Block or Accept. The undone activity is usually
 * embedded; one named only by id is looked for as a boost, then as a follow.
 */
public final class UndoHandler implements ActivityHandler {
    private final RelationshipService relationships;
    private final StatusService statuses;
    private final RemoteStatuses lookup;

    public UndoHandler(RelationshipService relationships, StatusService statuses, RemoteStatuses lookup) {
        this.relationships = relationships;
        this.statuses = statuses;
        this.lookup = lookup;
    }

    @Override
    public void handle(Activity a) {
        JsonNode undone = a.object();
        if (undone == null) {
            undoById(a);
            return;
        }
        String actor = Activity.idOf(undone.path("actor"));
        if (actor != null && !actor.equals(a.actorUri())) {
            throw new Dropped("Undo of another actor's activity");
        }
        String object = Activity.idOf(undone.path("object"));
        switch (a.objectType() == null ? "" : a.objectType()) {
            case "Follow" -> relationships.unfollow(a.actor().id(), local(object).id());
            case "Block" -> relationships.unblock(a.actor().id(), local(object).id());
            case "Like" -> {
                Status status = lookup.find(object).orElseThrow(() -> new Dropped("Undo of a Like of an unknown status"));
                statuses.unfavourite(status.id(), a.actor().id());
            }
            case "Announce" -> statuses.deleteRemote(a.actor().id(), a.objectId());
            case "Accept" -> {
                // The actor takes back its acceptance of a local account's follow.
                Optional<Account> follower = lookup.localAccount(Activity.idOf(undone.path("object").path("actor")));
                Optional<Long> id = follower.map(Account::id)
                        .or(() -> Optional.ofNullable(Activity.idOf(undone.path("object")))
                                .flatMap(uri -> relationships.followerByUri(a.actor().id(), uri)));
                relationships.rejectedByRemote(id.orElseThrow(() -> new Dropped("Undo of an Accept of no Follow of ours")),
                        a.actor().id());
            }
            default -> throw new Dropped("Undo of a " + a.objectType() + " is not supported");
        }
    }

    private void undoById(Activity a) {
        String id = a.objectId();
        if (id == null || !a.sameOrigin(id)) {
            throw new Dropped("Undo of " + id + ", not the actor's");
        }
        if (statuses.deleteRemote(a.actor().id(), id)) {
            return;
        }
        // Remote follows of local accounts carry the Follow's id.
        throw new Dropped("Undo of " + id + ", which names nothing known here");
    }

    private Account local(String uri) {
        return lookup.localAccount(uri).orElseThrow(() -> new Dropped(uri + " is not a local account"));
    }
}
