package social.caravan.federation.handlers;

import social.caravan.federation.RemoteAccounts;
import social.caravan.federation.RemoteStatuses;

/**
 * Update of the actor itself (its profile is fetched again from its server) or of one of its
 * statuses (an edit, kept in the history; an unknown status is left alone).
 */
public final class UpdateHandler implements ActivityHandler {
    private final RemoteStatuses statuses;
    private final RemoteAccounts accounts;

    public UpdateHandler(RemoteStatuses statuses, RemoteAccounts accounts) {
        this.statuses = statuses;
        this.accounts = accounts;
    }

    @Override
    public void handle(Activity a) {
        if (a.actorUri().equals(a.objectId())) {
            accounts.refresh(a.actor());
            return;
        }
        if (a.object() == null || !RemoteStatuses.isStatusType(a.objectType())) {
            throw new Dropped("Update of a " + a.objectType() + " is not supported");
        }
        if (statuses.edit(a.object(), a.actor()).isEmpty()) {
            throw new Dropped("Update of " + a.objectId() + ", a status not stored here");
        }
    }

    @Override
    public boolean fetches(Activity a) {
        return a.actorUri().equals(a.objectId()) || (a.object() != null && statuses.fetches(a.object()));
    }
}
