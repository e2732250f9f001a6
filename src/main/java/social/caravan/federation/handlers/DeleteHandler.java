package social.caravan.federation.handlers;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.federation.AccountPurge;
import social.caravan.statuses.StatusService;

/**
 * Delete of a status of the actor's, or of the actor itself: then what it stored here is purged
 * ({@link AccountPurge}) and its key forgotten, in the inbox's transaction, and nobody is notified, as on Mastodon.
 */
public final class DeleteHandler implements ActivityHandler {
    private static final Logger log = LoggerFactory.getLogger(DeleteHandler.class);
    private final StatusService statuses;
    private final AccountPurge purge;

    public DeleteHandler(StatusService statuses, AccountPurge purge) {
        this.statuses = statuses;
        this.purge = purge;
    }

    @Override
    public void handle(Activity a) {
        String object = a.objectId();
        if (a.actorUri().equals(object)) {
            AccountPurge.Purged purged = purge.purgeDeleted(a.actor().id());
            log.info("{} deleted itself: {} statuses and {} follows with local accounts removed", object,
                    purged.statuses(), purged.severed().size());
            return;
        }
        if (object == null || !a.sameOrigin(object)) {
            throw new Dropped("Delete of " + object + ", not on the actor's server");
        }
        statuses.deleteRemote(a.actor().id(), object);
    }
}
