package social.caravan.federation;

import java.net.URI;
import java.time.Instant;
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

/**
 * Deletes a local account ({@code caravan accounts delete}) and tells other servers: in the transaction
 * that removes the rows, a Delete of the actor is queued on the delivery lanes for every server known
 * here, and its keys are kept in {@code deleted_actors} so {@link DeliverySigners} can
 * still sign those deliveries (and their retries) and {@link ActivityPubApi} can still serve the actor,
 * suspended, with its public key for peers verifying them. Once no such delivery is left (sent or
 * given up), {@link #prune} removes the keys; the name stays in {@code gone_accounts}, answered 410.
 */
public final class ActorDeletion {
    public static final String PRUNE_JOB = "federation.prune_deleted_actors";

    /** A deleted account whose Delete is still being delivered: what its suspended actor document shows. */
    public record Deleting(String uri, String username, String publicKey, boolean bot, Instant createdAt) {}

    private final Jdbi jdbi;
    private final AccountService accounts;
    private final AccountJson accountJson;
    private final AccountPurge purge;
    private final DeliveryLanes lanes;
    private final DomainBlocks domainBlocks;

    public ActorDeletion(Jdbi jdbi, AccountService accounts, AccountJson accountJson, AccountPurge purge,
                         DeliveryLanes lanes, DomainBlocks domainBlocks) {
        this.jdbi = jdbi;
        this.accounts = accounts;
        this.accountJson = accountJson;
        this.purge = purge;
        this.lanes = lanes;
        this.domainBlocks = domainBlocks;
    }

    public void delete(String username) {
        Account account = accounts.findLocal(username).orElseThrow(ApiException::notFound);
        String actor = accountJson.actorUri(account);
        Optional<String> key = accounts.privateKey(account.id());
        Set<String> inboxes = new LinkedHashSet<>();
        // Every server known here, as Mastodon sends an account's Delete: boosts and replies took its posts further
        // than its followers.
        accounts.remoteInboxes().stream().filter(this::allowed).forEach(inboxes::add);
        String delete = Json.write(ActivityStreams.map("@context", ActivityStreams.AS, "id", actor + "#delete",
                "type", "Delete", "actor", actor, "to", List.of(ActivityStreams.PUBLIC), "object", actor));
        jdbi.useTransaction(h -> {
            if (key.isPresent() && !inboxes.isEmpty()) {
                keep(h, account, actor, key.get());
                inboxes.forEach(inbox -> lanes.enqueue(h, inbox, delete));
            }
            h.createUpdate("""
                            INSERT INTO gone_accounts (username) VALUES (lower(:username))
                            ON CONFLICT (username) DO UPDATE SET deleted_at = now()""")
                    .bind("username", account.username()).execute();
            // What the row's cascade would leave wrong goes first, as for a remote account: the counts of the
            // accounts it followed and of the statuses it favourited, boosted, replied to or voted in, and the
            // feeds and streams its posts are in. Its Delete above is all that federates.
            purge.purge(account.id());
            accounts.deleteLocal(h, account.id());
        });
    }

    /** The deleted account of this name whose Delete is still being delivered, if any. */
    Optional<Deleting> deleting(String username) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT uri, username, public_key, bot, created_at FROM deleted_actors
                        WHERE lower(username) = lower(:username) AND public_key IS NOT NULL
                        ORDER BY deleted_at DESC LIMIT 1""")
                .bind("username", username)
                .map((rs, ctx) -> new Deleting(rs.getString("uri"), rs.getString("username"), rs.getString("public_key"),
                        rs.getBoolean("bot"), rs.getTimestamp("created_at") == null ? Instant.EPOCH
                                : rs.getTimestamp("created_at").toInstant()))
                .findOne());
    }

    /** Whether a local account of this name was deleted (its actor and WebFinger answer 410). */
    boolean isGone(String username) {
        return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM gone_accounts WHERE username = lower(:username))")
                .bind("username", username).mapTo(Boolean.class).one());
    }

    /**
     * Forgets the keys of deleted actors none of whose Delete deliveries is left on the lanes (each
     * was sent or given up). The deliveries were queued in the transaction that stamped
     * {@code deleted_at}, so only those made since then are looked at. Returns how many went.
     */
    public int prune() {
        return jdbi.withHandle(h -> h.createUpdate("""
                        DELETE FROM deleted_actors a
                        WHERE NOT EXISTS (
                          SELECT 1 FROM deliveries d
                          WHERE d.created_at >= a.deleted_at
                            AND strpos(d.payload, '"' || a.uri || '#delete"') > 0)""")
                .execute());
    }

    /** The key a deleted actor signed with, for the deliveries of its Delete. */
    Optional<String> keyOfDeleted(String actor) {
        return jdbi.withHandle(h -> h.createQuery("SELECT private_key FROM deleted_actors WHERE uri = :uri")
                .bind("uri", actor).mapTo(String.class).findOne());
    }

    private static void keep(Handle h, Account account, String actor, String privateKey) {
        h.createUpdate("""
                        INSERT INTO deleted_actors (uri, private_key, username, public_key, bot, created_at)
                        VALUES (:uri, :key, :username, :publicKey, :bot, :createdAt)
                        ON CONFLICT (uri) DO UPDATE SET private_key = excluded.private_key, username = excluded.username,
                          public_key = excluded.public_key, bot = excluded.bot, created_at = excluded.created_at,
                          deleted_at = now()""")
                .bind("uri", actor).bind("key", privateKey).bind("username", account.username())
                .bind("publicKey", account.publicKey()).bind("bot", account.bot())
                .bind("createdAt", account.createdAt()).execute();
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
