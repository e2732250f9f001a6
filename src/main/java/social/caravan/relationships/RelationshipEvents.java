package social.caravan.relationships;

import org.jdbi.v3.core.Handle;

/**
 * Told, inside the transaction that does it, of what other servers must hear about follows and blocks
 * between a local account and a remote one: federation implements it and queues the activities, so the
 * dependency stays one-way (federation -> relationships). {@code uri} is the id of the Follow concerned.
 */
public interface RelationshipEvents {
    RelationshipEvents NONE = new RelationshipEvents() {
        @Override
        public void followRequested(Handle h, long followerId, long targetId, String uri) {
        }

        @Override
        public void unfollowed(Handle h, long followerId, long targetId, String uri) {
        }

        @Override
        public void followAnswered(Handle h, long followerId, long targetId, String uri, boolean accepted) {
        }

        @Override
        public void blocked(Handle h, long accountId, long targetId, boolean undone) {
        }
    };

    /** A local account asks to follow a remote one. */
    void followRequested(Handle h, long followerId, long targetId, String uri);

    /** A local account stops following a remote one, or withdraws its request. */
    void unfollowed(Handle h, long followerId, long targetId, String uri);

    /** A local account accepts (or rejects, or removes) a remote follower. */
    void followAnswered(Handle h, long followerId, long targetId, String uri, boolean accepted);

    /** A local account blocks (or unblocks) a remote one. */
    void blocked(Handle h, long accountId, long targetId, boolean undone);
}
