package social.caravan.federation.handlers;

import social.caravan.federation.RemoteStatuses;
import social.caravan.statuses.Status;
import social.caravan.statuses.StatusService;

/** Add to (or Remove from) the actor's featured collection: pinning (or unpinning) one of its statuses. */
public final class FeaturedHandler implements ActivityHandler {
    private final StatusService statuses;
    private final RemoteStatuses remote;
    private final boolean add;

    public FeaturedHandler(StatusService statuses, RemoteStatuses remote, boolean add) {
        this.statuses = statuses;
        this.remote = remote;
        this.add = add;
    }

    @Override
    public void handle(Activity a) {
        String target = Activity.idOf(a.json().path("target"));
        String featured = a.actor().remote().featured();
        if (target == null || !target.equals(featured)) {
            throw new Dropped(a.type() + " to " + target + ", not the actor's featured collection");
        }
        Status status = (add ? remote.resolve(a.objectId()) : remote.find(a.objectId()))
                .filter(s -> s.accountId() == a.actor().id())
                .orElseThrow(() -> new Dropped(a.type() + " of " + a.objectId() + ", not a status of the actor's"));
        if (add) {
            statuses.pin(status.id(), a.actor().id());
        } else {
            statuses.unpin(status.id(), a.actor().id());
        }
    }

    @Override
    public boolean fetches(Activity a) {
        return add && remote.find(a.objectId()).isEmpty();
    }
}
