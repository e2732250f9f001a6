package social.caravan.federation.handlers;

import social.caravan.federation.RemoteStatuses;

/**
 * Create of a Note (or Question; Article, Page, Event, Image, Video, Audio as best effort): a remote status,
 * or a vote in a local poll.
 */
public final class CreateHandler implements ActivityHandler {
    private final RemoteStatuses statuses;

    public CreateHandler(RemoteStatuses statuses) {
        this.statuses = statuses;
    }

    @Override
    public void handle(Activity a) {
        if (a.object() == null) {
            // Only referenced: fetched from its own server, which vouches for it.
            if (a.objectId() == null || !a.sameOrigin(a.objectId()) || statuses.resolve(a.objectId()).isEmpty()) {
                throw new Dropped("Create of " + a.objectId() + " that could not be fetched");
            }
            return;
        }
        if (!RemoteStatuses.isStatusType(a.objectType())) {
            throw new Dropped("Create of a " + a.objectType() + " is not supported");
        }
        if (!statuses.vote(a.object(), a.actor())) {
            statuses.store(a.object(), a.actor());
        }
    }

    @Override
    public boolean fetches(Activity a) {
        return a.object() == null || statuses.fetches(a.object());
    }
}
