package social.caravan.federation;

import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.accounts.Account;
import social.caravan.core.http.ApiException;
import social.caravan.core.json.Json;
import social.caravan.core.queue.JobQueue;
import social.caravan.core.queue.Queues;
import social.caravan.federation.handlers.Activity;
import social.caravan.federation.handlers.ActivityHandler;
import social.caravan.federation.handlers.Dropped;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Activities signed by another server than their actor's: Mastodon forwards replies and deletes to the
 * followers of the account replied to, vouched for by a JSON-LD signature, which Caravan does not
 * verify. As GoToSocial does, the inbox queues a forwarded Create, Update, Delete or Announce from a
 * verified signer ({@link #JOB}), and nothing embedded in it is trusted: the job fetches the object
 * (for an Announce, the Announce itself) by its id from its own server and hands that copy to the
 * type's handler as if the actor had sent it; a Delete is applied only when that server answers 404 or
 * 410, or serves a Tombstone. When the origin fails or does not answer, the job is tried again later.
 * Other types whose actor did not sign them stay refused (401).
 */
public final class Forwarded {
    private static final Logger log = LoggerFactory.getLogger(Forwarded.class);
    public static final String JOB = "federation.forwarded";
    private static final Set<String> TYPES = Set.of("Create", "Update", "Delete", "Announce");

    /** The job: who forwarded it (signed the POST), and the activity as received. */
    public record Job(long signerId, String activity) {}

    private final JobQueue queue;
    private final Fetcher fetcher;
    private final RemoteAccounts remoteAccounts;
    private final DomainBlocks domainBlocks;
    private final Map<String, ActivityHandler> handlers;

    public Forwarded(JobQueue queue, Fetcher fetcher, RemoteAccounts remoteAccounts, DomainBlocks domainBlocks,
                     Map<String, ActivityHandler> handlers) {
        this.queue = queue;
        this.fetcher = fetcher;
        this.remoteAccounts = remoteAccounts;
        this.domainBlocks = domainBlocks;
        this.handlers = handlers;
    }

    /** Whether the inbox takes this activity as forwarded: a type taken so, not signed by its actor. */
    boolean isForwarded(JsonNode activity, Account signer) {
        String type = Activity.text(activity, "type");
        String actor = Activity.idOf(activity.path("actor"));
        return type != null && TYPES.contains(type) && actor != null && !signer.remote().uri().equals(actor);
    }

    /**
     * Checks what needs no fetching (the actor, and that what will be fetched is on the actor's server:
     * 422 otherwise) and queues the activity, in the request; the inbox then answers 202.
     */
    void enqueue(JsonNode activity, String body, Account signer) {
        String type = Activity.text(activity, "type");
        String actor = Activity.idOf(activity.path("actor"));
        String origin = Activity.authority(actor);
        if (origin.isEmpty() || !(actor.startsWith("https://") || actor.startsWith("http://"))) {
            throw ApiException.unprocessable("Validation failed: the activity's actor is not an http(s) URL");
        }
        String id = Activity.text(activity, "id");
        if (id != null && !origin.equals(Activity.authority(id))) {
            throw ApiException.unprocessable("Validation failed: the activity's id is not on its actor's server");
        }
        // An Announce is fetched itself; the others' object is.
        String fetched = type.equals("Announce") ? id : Activity.idOf(activity.path("object"));
        if (fetched == null) {
            throw ApiException.unprocessable("Validation failed: a forwarded " + type + " must name what it "
                    + (type.equals("Announce") ? "is by its id" : "acts on by its id"));
        }
        if (!origin.equals(Activity.authority(fetched))) {
            throw ApiException.unprocessable("Validation failed: the object's id " + fetched + " is not on its actor's server");
        }
        log.debug("{} forwarded a {} of {}", signer.remote().uri(), type, actor);
        queue.enqueue(Queues.INGRESS, JOB, new Job(signer.id(), body), null, null);
    }

    /** Runs {@link #JOB}. What is refused is logged and dropped; anything else fails the job, which is retried. */
    public void process(Job job) {
        try {
            apply(Json.read(job.activity()));
        } catch (Dropped e) {
            log.info("dropped an activity forwarded by account {}: {}", job.signerId(), e.getMessage());
        } catch (ApiException e) {
            if (e.status() >= 500) {
                throw e;
            }
            log.info("dropped an activity forwarded by account {}: {} {}", job.signerId(), e.status(), e.getMessage());
        }
    }

    private void apply(JsonNode json) {
        String type = Activity.text(json, "type");
        String actorUri = Activity.idOf(json.path("actor"));
        Account actor = remoteAccounts.resolveUri(actorUri)
                .filter(a -> !a.local() && a.remote() != null && a.remote().uri().equals(actorUri))
                .orElseThrow(() -> new Dropped("its actor " + actorUri + " could not be resolved"));
        if (domainBlocks.isSuspended(actor.domain())) {
            throw new Dropped("the domain of " + actorUri + " is suspended");
        }
        Activity received = new Activity(actor, json);
        ActivityHandler handler = handlers.get(type);
        switch (type) {
            case "Delete" -> {
                requireGone(received.objectId());
                handler.handle(received);
            }
            case "Announce" -> {
                JsonNode announce = fetch(received.id());
                if (!"Announce".equals(Activity.text(announce, "type"))
                        || !actorUri.equals(Activity.idOf(announce.path("actor")))) {
                    throw new Dropped(received.id() + " is not an Announce of " + actorUri + " at its server");
                }
                handler.handle(new Activity(actor, announce));
            }
            default -> {
                if (actorUri.equals(received.objectId())) {
                    // An Update of the actor: its handler fetches the actor again, whatever is embedded.
                    ObjectNode byId = (ObjectNode) json.deepCopy();
                    byId.put("object", actorUri);
                    handler.handle(new Activity(actor, byId));
                    return;
                }
                handler.handle(new Activity(actor, withObject(json, fetch(received.objectId()))));
            }
        }
    }

    /** The document at {@code uri}, served by its own server under that id. */
    private JsonNode fetch(String uri) {
        try {
            Fetcher.Document doc = fetcher.fetchActivity(uri);
            if (!uri.equals(Activity.text(doc.json(), "id"))
                    || !Activity.authority(uri).equals(Activity.authority(doc.uri().toString()))) {
                throw new Dropped(uri + " is served under another id or by another server");
            }
            return doc.json();
        } catch (FetchFailed e) {
            throw unavailable(e, "could not fetch " + uri + " from its server: " + e.getMessage());
        }
    }

    /** Passes only when {@code uri}'s own server says it is gone: 404, 410, or a Tombstone. */
    private void requireGone(String uri) {
        try {
            Fetcher.Document doc = fetcher.fetchActivity(uri);
            if (!"Tombstone".equals(Activity.text(doc.json(), "type"))) {
                throw new Dropped(uri + " is still served by its server");
            }
        } catch (FetchFailed e) {
            if (e.status() != 404 && e.status() != 410) {
                throw unavailable(e, "could not check with its server that " + uri + " is gone: " + e.getMessage());
            }
        }
    }

    /**
     * Why the origin could not vouch for the activity: dropped when it refused, a failure of the job (tried
     * again later, with backoff) when it may answer later, so an origin that is down a while loses nothing.
     */
    private static RuntimeException unavailable(FetchFailed e, String reason) {
        return e.mayPassLater() ? new IllegalStateException(reason) : new Dropped(reason);
    }

    /** The activity with the fetched {@code object} in place of what it embedded. */
    private static JsonNode withObject(JsonNode activity, JsonNode object) {
        ObjectNode copy = (ObjectNode) activity.deepCopy();
        copy.set("object", object);
        return copy;
    }
}
