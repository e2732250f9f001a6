package social.caravan.accounts;

import java.util.Optional;

/**
 * Finds accounts on other servers on demand (WebFinger and actor documents); federation implements it,
 * so the accounts and search rooms can resolve handles without depending on federation.
 */
public interface RemoteResolver {
    /** {@code user@domain} on another server: the stored account, refreshed when stale, else fetched. */
    Optional<Account> resolveHandle(String username, String domain);

    /** An actor by its URL (id or profile URL). */
    Optional<Account> resolveUri(String uri);
}
