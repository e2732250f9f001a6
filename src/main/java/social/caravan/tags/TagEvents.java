package social.caravan.tags;

import org.jdbi.v3.core.Handle;

/**
 * Told, inside the transaction that does it, when a local account features a hashtag on its profile or
 * stops: federation implements it and tells the followers' servers, so the dependency stays one-way
 * (federation -> tags).
 */
public interface TagEvents {
    /** {@code name} as the account spelled it; {@code undone} when it stopped featuring it. */
    void featured(Handle h, long accountId, String name, boolean undone);
}
