package social.caravan.federation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
            apply(applicable(received));
        } catch (Dropped e) {
            logDropped(received, e);
        }
    }

    /**
     * Applies several activities in one transaction (the services' own transactions join it): one
     * commit, one update of each author's counts, one lock of a busy reader's feed and one look-up of
     * who listens to the streams, for all of them.
     * An activity that is dropped takes the transaction with it, which runs again without it, so it
     * leaves nothing behind, as alone; any other failure fails the whole batch. An activity that needs
     * something fetched from another server ({@link ActivityHandler#fetches}) runs on its own after the
     * batch, and so do its actor's later ones, to keep their order: no open transaction waits on a peer, since
     * fetches are refused while the batch's is open.
     */
    public void processAll(List<InboxApi.Received> batch) {
        List<Applicable> together = new ArrayList<>();
        List<Applicable> alone = new ArrayList<>();
        Set<Long> actorsAlone = new HashSet<>();
        // By actor (keeping each actor's order): concurrent batches lock the actors' rows in one order.
        for (InboxApi.Received received : batch.stream().sorted(Comparator.comparingLong(InboxApi.Received::signerId)).toList()) {
            Applicable applicable;
            try {
                applicable = applicable(received);
            } catch (Dropped e) {
                logDropped(received, e);
                continue;
            }
            if (actorsAlone.contains(received.signerId()) || applicable.handler().fetches(applicable.activity())) {
                actorsAlone.add(received.signerId());
                alone.add(applicable);
            } else {
                together.add(applicable);
            }
        }
        alone.addAll(0, applyTogether(together));
        for (Applicable applicable : alone) {
            try {
                apply(applicable);
            } catch (Dropped e) {
                logDropped(applicable.received(), e);
            }
        }
    }

    /**
     * Applies {@code batch} in one transaction, and answers what must run alone after it: an activity that
     * fetched after all (what {@link ActivityHandler#fetches} saw changed before its turn) is taken out with its
     * actor's later ones, as a dropped one is, since fetches are refused while the transaction is open.
     */
    private List<Applicable> applyTogether(List<Applicable> batch) {
        List<Applicable> left = new ArrayList<>(batch);
        List<Applicable> later = new ArrayList<>();
        while (!left.isEmpty()) {
            try {
                Fetcher.refusing(() -> jdbi.useTransaction(h -> batchTail.accept(h, () -> {
                    // The same few statements over and over: plan each once per connection, not once per activity.
                    h.execute("SET LOCAL plan_cache_mode = force_generic_plan");
                    for (Applicable applicable : left) {
                        try {
                            apply(applicable);
                        } catch (Dropped e) {
                            throw new LeftOutOfBatch(applicable, e);
                        } catch (Fetcher.Refused e) {
                            throw new LeftOutOfBatch(applicable, null);
                        }
                    }
                })));
                return later;
            } catch (LeftOutOfBatch e) {
                if (e.reason != null) {
                    logDropped(e.applicable.received(), e.reason);
                    left.remove(e.applicable);
                    continue;
                }
                long actor = e.applicable.received().signerId();
                List<Applicable> actorsRest = left.subList(left.indexOf(e.applicable), left.size()).stream()
                        .filter(a -> a.received().signerId() == actor).toList();
                left.removeAll(actorsRest);
                later.addAll(actorsRest);
            }
        }
        return later;
    }

    /**
     * An activity of a batch that was dropped ({@code reason}) or that would fetch (no reason): the batch's
     * transaction is rolled back, to run again without it.
     */
    private static final class LeftOutOfBatch extends RuntimeException {
        final Applicable applicable;
        final Dropped reason;

        LeftOutOfBatch(Applicable applicable, Dropped reason) {
            super(reason == null ? "it would fetch" : reason.getMessage(), null, false, false);
            this.applicable = applicable;
            this.reason = reason;
        }
    }

    /** A stored activity read, with its known actor and the handler of its type. */
    private record Applicable(InboxApi.Received received, Activity activity, ActivityHandler handler) {}

    /** Reads the activity and finds its actor and handler; throws {@link Dropped} when there is nothing to apply. */
    private Applicable applicable(InboxApi.Received received) {
        Optional<Account> actor = accounts.findKnown(received.signerId()).filter(a -> !a.local() && a.remote() != null);
        if (actor.isEmpty()) {
            throw new Dropped("account " + received.signerId() + " is no longer a known remote account");
        }
        if (domainBlocks.isSuspended(actor.get().domain())) {
            throw new Dropped("the domain of " + actor.get().remote().uri() + " is suspended");
        }
        Activity activity = new Activity(actor.get(), Json.read(received.activity()));
        ActivityHandler handler = handlers.get(activity.type());
        if (handler == null) {
            throw new Dropped("a " + activity.type() + " of " + activity.actorUri() + " is not a type this server applies");
        }
        return new Applicable(received, activity, handler);
    }

    /** Hands the activity to its handler; throws {@link Dropped} when it is refused (a service's 4xx included). */
    private static void apply(Applicable applicable) {
        Activity activity = applicable.activity();
        try {
            applicable.handler().handle(activity);
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
