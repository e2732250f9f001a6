package social.caravan.federation.handlers;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.statuses.StatusService;

/** Delete of a status of the actor's, or of the actor itself (then all its statuses go). */
public final class DeleteHandler implements ActivityHandler {
    private static final Logger log = LoggerFactory.getLogger(DeleteHandler.class);
    private final StatusService statuses;

    public DeleteHandler(StatusService statuses) {
        this.statuses = statuses;
    }

    @Override
    public void handle(Activity a) {
        String object = a.objectId();
        if (a.actorUri().equals(object)) {
            int deleted = statuses.deleteAllRemote(a.actor().id());
            log.info("{} deleted itself: {} statuses removed", object, deleted);
            return;
        }
        if (object == null || !a.sameOrigin(object)) {
            throw new Dropped("Delete of " + object + ", not on the actor's server");
        }
        statuses.deleteRemote(a.actor().id(), object);
    }
}
