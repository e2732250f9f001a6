package social.caravan.federation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.core.http.ApiException;
import social.caravan.core.json.Json;
import social.caravan.federation.handlers.Activity;
import social.caravan.federation.handlers.ActivityHandler;
import social.caravan.federation.handlers.Dropped;
import tools.jackson.databind.JsonNode;

/**
 * Runs {@link InboxApi#INBOUND_JOB}: hands each stored activity to the handler of its type. What a
 * handler refuses ({@link Dropped}, or a service's 4xx such as a status the actor may not see) is
 * logged with its reason and dropped; anything else fails the job, which is retried. Jobs claimed
 * together run as one batch ({@link #processAll}); a batch that fails runs each job alone.
 */
public final class Inbound {
    private static final Logger log = LoggerFactory.getLogger(Inbound.class);

    private final Jdbi jdbi;
    private final BiConsumer<Handle, Runnable> batchTail;
    private final AccountService accounts;
    private final DomainBlocks domainBlocks;
    private final Map<String, ActivityHandler> handlers;

    /**
     * {@code batchTail}: runs work in a transaction with what many activities share held back to its
     * end: the authors' counts, the feeds' fan-outs, the stream events (accounts, timelines, bus).
     */
    public Inbound(Jdbi jdbi, BiConsumer<Handle, Runnable> batchTail, AccountService accounts, DomainBlocks domainBlocks,
                   Map<String, ActivityHandler> handlers) {
        this.jdbi = jdbi;
        this.batchTail = batchTail;
        this.accounts = accounts;
        this.domainBlocks = domainBlocks;
        this.handlers = handlers;
    }

    public void process(InboxApi.Received received) {
        try {
            apply(received);
        } catch (Dropped e) {
            logDropped(received, e);
        }
    }

    /**
     * Applies several activities in one transaction (the services' own transactions join it): one
     * commit, one update of each author's counts, one lock of a busy reader's feed and one look-up of
     * who listens to the streams, for all of them.
     * An activity that is dropped takes the transaction with it, which runs again without it, so it
     * leaves nothing behind, as alone; any other failure fails the whole batch.
     */
    public void processAll(List<InboxApi.Received> batch) {
        // By actor (keeping each actor's order): concurrent batches lock the actors' rows in one order.
        List<InboxApi.Received> left = new ArrayList<>(
                batch.stream().sorted(Comparator.comparingLong(InboxApi.Received::signerId)).toList());
        while (!left.isEmpty()) {
            try {
                jdbi.useTransaction(h -> batchTail.accept(h, () -> {
                    // The same few statements over and over: plan each once per connection, not once per activity.
                    h.execute("SET LOCAL plan_cache_mode = force_generic_plan");
                    for (InboxApi.Received received : left) {
                        try {
                            apply(received);
                        } catch (Dropped e) {
                            throw new DroppedFromBatch(received, e);
                        }
                    }
                }));
                return;
            } catch (DroppedFromBatch e) {
                logDropped(e.received, e.reason);
                left.remove(e.received);
            }
        }
    }

    /** An activity of a batch that was dropped: the batch's transaction is rolled back, to run again without it. */
    private static final class DroppedFromBatch extends RuntimeException {
        final InboxApi.Received received;
        final Dropped reason;

        DroppedFromBatch(InboxApi.Received received, Dropped reason) {
            super(reason.getMessage(), null, false, false);
            this.received = received;
            this.reason = reason;
        }
    }

    /** Hands the activity to its handler; throws {@link Dropped} when it is refused (a service's 4xx included). */
    private void apply(InboxApi.Received received) {
        Optional<Account> actor = accounts.findKnown(received.signerId()).filter(a -> !a.local() && a.remote() != null);
        if (actor.isEmpty()) {
            throw new Dropped("account " + received.signerId() + " is no longer a known remote account");
        }
        if (domainBlocks.isSuspended(actor.get().domain())) {
            throw new Dropped("the domain of " + actor.get().remote().uri() + " is suspended");
        }
        JsonNode json = Json.read(received.activity());
        Activity activity = new Activity(actor.get(), json);
        ActivityHandler handler = handlers.get(activity.type());
        if (handler == null) {
            throw new Dropped("a " + activity.type() + " of " + activity.actorUri() + " is not a type this server applies");
        }
        try {
            handler.handle(activity);
        } catch (Dropped e) {
            throw new Dropped(activity.type() + " " + activity.id() + " of " + activity.actorUri() + ": " + e.getMessage());
        } catch (ApiException e) {
            if (e.status() >= 500) {
                throw e;
            }
            throw new Dropped(activity.type() + " " + activity.id() + " of " + activity.actorUri() + ": " + e.status()
                    + " " + e.getMessage());
        }
    }

    private static void logDropped(InboxApi.Received received, Dropped e) {
        log.info("dropped an activity of account {}: {}", received.signerId(), e.getMessage());
    }
}
