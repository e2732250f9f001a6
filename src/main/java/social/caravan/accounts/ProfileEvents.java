package social.caravan.accounts;

import org.jdbi.v3.core.Handle;

/**
 * Told, inside the transaction that changes it, that a local account's public profile changed, so that
 * federation can send the actor's Update to the servers of its followers (federation -> accounts).
 */
@FunctionalInterface
public interface ProfileEvents {
    ProfileEvents NONE = (h, accountId) -> { };

    void profileChanged(Handle h, long accountId);
}
