package social.caravan.federation;

import java.security.PrivateKey;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.core.json.Json;
import social.caravan.core.net.RequestSigner;
import social.caravan.core.queue.Delivery;
import social.caravan.core.signatures.DraftCavage;
import social.caravan.core.signatures.Keys;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Signs each delivery as the local actor its activity names ({@code actor}), with that account's key
 * (draft-cavage, rsa-sha256, {@code keyId} the actor's {@code #main-key}); an activity of the
 * instance actor, or one naming no local account, is signed by the instance actor; the Delete of a
 * deleted account's actor with the key kept for it ({@link ActorDeletion}). Private keys are
 * kept once read: local keys never change.
 */
public final class DeliverySigners {
    private final AccountService accounts;
    private final InstanceActor instanceActor;
    private final String usersPrefix;
    private final Clock clock;
    private final ActorDeletion deletions;
    private final Map<String, PrivateKey> keys = new ConcurrentHashMap<>();

    public DeliverySigners(AccountService accounts, InstanceActor instanceActor, ActorDeletion deletions, String baseUrl,
                           Clock clock) {
        this.accounts = accounts;
        this.deletions = deletions;
        this.instanceActor = instanceActor;
        this.usersPrefix = baseUrl + "/users/";
        this.clock = clock;
    }

    public RequestSigner signerFor(Delivery delivery) {
        String actor = actorOf(delivery.payload());
        Optional<PrivateKey> key = actor == null ? Optional.empty() : key(actor);
        if (key.isEmpty()) {
            return instanceActor.signer();
        }
        String keyId = actor + "#main-key";
        PrivateKey privateKey = key.get();
        return (method, uri, host, contentType, body) ->
                DraftCavage.sign(method, uri, host, contentType, body, keyId, privateKey, clock.instant());
    }

    private Optional<PrivateKey> key(String actor) {
        PrivateKey known = keys.get(actor);
        if (known != null) {
            return Optional.of(known);
        }
        if (!actor.startsWith(usersPrefix)) {
            return Optional.empty();
        }
        Optional<PrivateKey> found = accounts.findLocal(actor.substring(usersPrefix.length()))
                .map(Account::id).flatMap(accounts::privateKey).map(Keys::privateKey);
        found.ifPresent(k -> keys.put(actor, k));
        // A deleted account's key signs the Delete of its actor (not kept here: the name may be taken again).
        return found.isPresent() ? found : deletions.keyOfDeleted(actor).map(Keys::privateKey);
    }

    private static String actorOf(String payload) {
        try {
            JsonNode actor = Json.read(payload).path("actor");
            return actor.isString() ? actor.stringValue() : null;
        } catch (JacksonException e) {
            return null;
        }
    }
}
