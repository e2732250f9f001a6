package social.caravan.federation.handlers;

import social.caravan.federation.RemoteStatuses;
import social.caravan.statuses.Status;
import social.caravan.statuses.StatusService;

/** Like of a local status the actor may see: a favourite (and its notification). */
public final class LikeHandler implements ActivityHandler {
    private final StatusService statuses;
    private final RemoteStatuses remote;

    public LikeHandler(StatusService statuses, RemoteStatuses remote) {
        this.statuses = statuses;
        this.remote = remote;
    }

    @Override
    public void handle(Activity a) {
        if (remote.localId(a.objectId()).isEmpty()) {
            throw new Dropped("Like of " + a.objectId() + ", not a status of this server");
        }
        Status status = remote.find(a.objectId()).orElseThrow(() -> new Dropped("Like of an unknown status"));
        statuses.favourite(status.id(), a.actor().id());
    }
}
