package social.caravan.federation;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Routes;
import social.caravan.core.json.Json;
import social.caravan.core.queue.DeliveryLanes;
import social.caravan.core.queue.GroupedEnqueue;
import social.caravan.core.queue.Queues;
import social.caravan.core.signatures.SignatureVerifier;
import social.caravan.core.signatures.SignedRequest;
import social.caravan.federation.handlers.Activity;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The inboxes: {@code POST /users/:name/inbox} and the shared {@code POST /inbox}. An activity is
 * answered 202 only once it is stored on the {@code ingress} queue, where {@link Inbound} applies it.
 * Before that: the signature must verify (401), by the activity's actor (401, except a Create, Update,
 * Delete or Announce another server forwarded: {@link Forwarded} takes those); the body must be a
 * JSON object nested at most {@link #MAX_DEPTH} deep (400); the activity's id, and the id of an object
 * it creates, updates or deletes, must be on the actor's server, and an Undo must undo the actor's
 * own activity (422). Types this server does not apply are answered 202 and dropped. Bodies over
 * 1 MiB never get here (413). An actor that deleted itself can no longer be verified (its key is
 * gone): its Delete is answered 202 and dropped, as Mastodon does.
 */
public final class InboxApi implements Routes {
    private static final Logger log = LoggerFactory.getLogger(InboxApi.class);
    public static final String INBOUND_JOB = "federation.inbound";
    /** Real activities nest about six levels (Create, Note, tag, ...); far deeper is an attack on parsers. */
    static final int MAX_DEPTH = 32;
    private static final Set<String> OWN_OBJECT_TYPES = Set.of("Create", "Update", "Delete");

    /** The ingress job: who signed, and the activity as received. */
    public record Received(long signerId, String activity) {}

    private final AccountService accounts;
    private final SignedRequests signedRequests;
    private final GroupedEnqueue queue;
    private final Set<String> types;
    private final Forwarded forwarded;
    private final DeliveryLanes lanes;

    public InboxApi(AccountService accounts, SignedRequests signedRequests, GroupedEnqueue queue, Set<String> types,
                    Forwarded forwarded, DeliveryLanes lanes) {
        this.accounts = accounts;
        this.signedRequests = signedRequests;
        this.queue = queue;
        this.types = types;
        this.forwarded = forwarded;
        this.lanes = lanes;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.post("/users/{name}/inbox", ctx -> {
            accounts.findLocal(ctx.pathParam("name")).orElseThrow(ApiException::notFound);
            receive(ctx);
        });
        routes.post("/inbox", this::receive);
    }

    private void receive(Context ctx) {
        SignedRequest request = signedRequests.of(ctx);
        if (!SignatureVerifier.isSigned(request)) {
            throw new ApiException(401, "Request not signed");
        }
        String body = new String(request.body(), StandardCharsets.UTF_8);
        JsonNode activity = parse(body);
        Account signer;
        try {
            signer = signedRequests.verify(request);
        } catch (ApiException e) {
            if (e.status() == 401 && activity != null && selfDeleteOfUnknown(activity)) {
                ctx.status(202);
                return;
            }
            throw e;
        }
        // As Mastodon: a server that sends us something is worth delivering to again.
        lanes.heardFrom(signer.remote().sharedInbox() != null ? signer.remote().sharedInbox() : signer.remote().inbox());
        if (activity == null) {
            throw ApiException.badRequest("The request body is not a JSON object nested at most " + MAX_DEPTH + " deep");
        }
        if (forwarded.isForwarded(activity, signer)) {
            forwarded.enqueue(activity, body, signer);
            ctx.status(202);
            return;
        }
        check(activity, signer);
        String type = Activity.text(activity, "type");
        if (!types.contains(type)) {
            log.debug("dropped a {} from {}: not a type this server applies", type, signer.remote().uri());
            ctx.status(202);
            return;
        }
        queue.enqueue(Queues.INGRESS, INBOUND_JOB, new Received(signer.id(), body));
        ctx.status(202);
    }

    /** The activity, or null when the body is not a JSON object or nests too deep. */
    static JsonNode parse(String body) {
        try {
            JsonNode node = Json.read(body);
            return node != null && node.isObject() && depth(node, 0) <= MAX_DEPTH ? node : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    /** How deep a node nests, counting no further than past the limit. */
    private static int depth(JsonNode node, int level) {
        if (level > MAX_DEPTH || !node.isContainer()) {
            return level;
        }
        int deepest = level + 1;
        for (JsonNode child : node.values()) {
            deepest = Math.max(deepest, depth(child, level + 1));
            if (deepest > MAX_DEPTH) {
                break;
            }
        }
        return deepest;
    }

    /** The rules of origin every activity must pass before it is stored. */
    private static void check(JsonNode json, Account signer) {
        Activity a = new Activity(signer, json);
        String type = a.type();
        if (type == null) {
            throw ApiException.unprocessable("Validation failed: the activity has no type");
        }
        String actor = Activity.idOf(json.path("actor"));
        if (!signer.remote().uri().equals(actor)) {
            throw new ApiException(401, "Verification failed: the request was signed by " + signer.remote().uri()
                    + ", not by the activity's actor " + actor);
        }
        if (a.id() != null && !a.sameOrigin(a.id())) {
            throw ApiException.unprocessable("Validation failed: the activity's id is not on its actor's server");
        }
        JsonNode object = a.object();
        if (OWN_OBJECT_TYPES.contains(type)) {
            String objectId = a.objectId();
            if (objectId != null && !a.sameOrigin(objectId)) {
                throw ApiException.unprocessable("Validation failed: the object's id " + objectId
                        + " is not on its actor's server");
            }
            String attributedTo = object == null ? null : Activity.idOf(object.path("attributedTo"));
            if (attributedTo != null && !attributedTo.equals(actor)) {
                throw ApiException.unprocessable("Validation failed: the object is attributed to another actor");
            }
        }
        if (type.equals("Undo") && object != null) {
            String undoneActor = Activity.idOf(object.path("actor"));
            if (undoneActor != null && !undoneActor.equals(actor)) {
                throw ApiException.unprocessable("Validation failed: an Undo of another actor's activity");
            }
        }
    }

    private boolean selfDeleteOfUnknown(JsonNode activity) {
        String actor = Activity.idOf(activity.path("actor"));
        return "Delete".equals(Activity.text(activity, "type")) && actor != null
                && actor.equals(Activity.idOf(activity.path("object"))) && accounts.findByUri(actor).isEmpty();
    }
}
