package social.caravan.polls;

import org.jdbi.v3.core.Handle;

/**
 * Told, inside the voting transaction, of each choice a local account makes in a poll, so the poll's
 * server can count it when the poll is remote, and of new counts of a poll, so other servers showing a
 * local one can update it: federation implements it, and the dependency stays one-way (federation -> polls).
 */
public interface PollEvents {
    PollEvents NONE = new PollEvents() {
        @Override
        public void voted(Handle h, long voterId, long statusId, int choice) {
        }

        @Override
        public void counted(Handle h, long authorId, long statusId, boolean ended) {
        }
    };

    /** {@code voterId} chose option {@code choice} (its index) of the poll of {@code statusId}. */
    void voted(Handle h, long voterId, long statusId, int choice);

    /**
     * The counts of the poll of {@code statusId} by {@code authorId} changed (a vote, here or from another
     * server), or the poll ended: the servers that show it may be sent its counts when the poll is local.
     */
    void counted(Handle h, long authorId, long statusId, boolean ended);
}
