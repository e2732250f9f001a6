package social.caravan.federation;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountJson;
import social.caravan.accounts.AccountService;
import social.caravan.core.http.ApiException;
import social.caravan.core.json.Json;
import social.caravan.core.queue.DeliveryLanes;
import social.caravan.federation.vocab.ActivityStreams;
import social.caravan.relationships.RelationshipService;

/**
 * Deletes a local account ({@code caravan accounts delete}) and tells other servers: in the transaction
 * that removes the rows, a Delete of the actor is queued on the delivery lanes for its remote
 * followers' servers, and its key is kept in {@code deleted_actors} so {@link DeliverySigners} can still
 * sign those deliveries (and their retries) once the account is gone.
 */
public final class ActorDeletion {
    private final Jdbi jdbi;
    private final AccountService accounts;
    private final AccountJson accountJson;
    private final RelationshipService relationships;
    private final DeliveryLanes lanes;
    private final DomainBlocks domainBlocks;

    public ActorDeletion(Jdbi jdbi, AccountService accounts, AccountJson accountJson, RelationshipService relationships,
                         DeliveryLanes lanes, DomainBlocks domainBlocks) {
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.accountJson = accountJson;
        this.relationships = relationships;
        this.lanes = lanes;
        this.domainBlocks = domainBlocks;
    }

    public void delete(String username) {
        Account account = accounts.findLocal(username).orElseThrow(ApiException::notFound);
        String actor = accountJson.actorUri(account);
        Optional<String> key = accounts.privateKey(account.id());
        Set<String> inboxes = new LinkedHashSet<>();
        relationships.remoteFollowerInboxes(account.id()).stream().filter(this::allowed).forEach(inboxes::add);
        String delete = Json.write(ActivityStreams.map("@context", ActivityStreams.AS, "id", actor + "#delete",
                "type", "Delete", "actor", actor, "to", List.of(ActivityStreams.PUBLIC), "object", actor));
        jdbi.useTransaction(h -> {
            if (key.isPresent() && !inboxes.isEmpty()) {
                keep(h, actor, key.get());
                inboxes.forEach(inbox -> lanes.enqueue(h, inbox, delete));
            }
            accounts.deleteLocal(h, account.id());
        });
    }

    /** The key a deleted actor signed with, for the deliveries of its Delete. */
    Optional<String> keyOfDeleted(String actor) {
        return jdbi.withHandle(h -> h.createQuery("SELECT private_key FROM deleted_actors WHERE uri = :uri")
                .bind("uri", actor).mapTo(String.class).findOne());
    }

    private static void keep(Handle h, String actor, String privateKey) {
        h.createUpdate("""
                        INSERT INTO deleted_actors (uri, private_key) VALUES (:uri, :key)
                        ON CONFLICT (uri) DO UPDATE SET private_key = excluded.private_key, deleted_at = now()""")
                .bind("uri", actor).bind("key", privateKey).execute();
    }

    private boolean allowed(String inbox) {
        try {
            String host = URI.create(inbox).getHost();
            return host != null && !domainBlocks.isSuspended(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
