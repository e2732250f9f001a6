package social.caravan.federation;

import java.util.Map;
import java.util.Optional;
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
 * logged with its reason and dropped; anything else fails the job, which is retried.
 */
public final class Inbound {
    private static final Logger log = LoggerFactory.getLogger(Inbound.class);

    private final AccountService accounts;
    private final DomainBlocks domainBlocks;
    private final Map<String, ActivityHandler> handlers;

    public Inbound(AccountService accounts, DomainBlocks domainBlocks, Map<String, ActivityHandler> handlers) {
        this.accounts = accounts;
        this.domainBlocks = domainBlocks;
        this.handlers = handlers;
    }

    public void process(InboxApi.Received received) {
        Optional<Account> actor = accounts.find(received.signerId()).filter(a -> !a.local() && a.remote() != null);
        if (actor.isEmpty()) {
            log.info("dropped an activity of account {}: no longer a known remote account", received.signerId());
            return;
        }
        if (domainBlocks.isSuspended(actor.get().domain())) {
            log.info("dropped an activity of {}: its domain is suspended", actor.get().remote().uri());
            return;
        }
        JsonNode json = Json.read(received.activity());
        Activity activity = new Activity(actor.get(), json);
        ActivityHandler handler = handlers.get(activity.type());
        if (handler == null) {
            log.info("dropped a {} of {}: not a type this server applies", activity.type(), activity.actorUri());
            return;
        }
        try {
            handler.handle(activity);
        } catch (Dropped e) {
            log.info("dropped {} {} of {}: {}", activity.type(), activity.id(), activity.actorUri(), e.getMessage());
        } catch (ApiException e) {
            if (e.status() >= 500) {
                throw e;
            }
            log.info("dropped {} {} of {}: {} {}", activity.type(), activity.id(), activity.actorUri(), e.status(),
                    e.getMessage());
        }
    }
}
