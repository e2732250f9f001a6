package social.caravan.federation.handlers;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import social.caravan.federation.RemoteStatuses;
import social.caravan.statuses.Status;
import social.caravan.statuses.StatusService;

/** Announce (a boost) of a status the actor may see: found here or fetched from its server, never taken as embedded. */
public final class AnnounceHandler implements ActivityHandler {
    private final StatusService statuses;
    private final RemoteStatuses remote;

    public AnnounceHandler(StatusService statuses, RemoteStatuses remote) {
        this.statuses = statuses;
        this.remote = remote;
    }

    @Override
    public void handle(Activity a) {
        if (a.id() == null) {
            throw new Dropped("an Announce without an id");
        }
        Status original = remote.resolve(a.objectId())
                .orElseThrow(() -> new Dropped("Announce of " + a.objectId() + ", which could not be found"));
        statuses.reblogRemote(a.actor().id(), original.id(), a.id(), published(Activity.text(a.json(), "published")))
                .orElseThrow(() -> new Dropped("Announce of " + a.objectId() + ", which the actor may not boost"));
    }

    @Override
    public boolean fetches(Activity a) {
        return remote.find(a.objectId()).isEmpty();
    }

    private static Instant published(String text) {
        try {
            Instant at = text == null ? null : Instant.parse(text);
            return at == null || at.isAfter(Instant.now()) ? null : at;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
