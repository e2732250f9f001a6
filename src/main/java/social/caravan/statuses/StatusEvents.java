package social.caravan.statuses;

import org.jdbi.v3.core.Handle;

/**
 * Told, inside the transaction that does it, of what local accounts do with statuses that other
 * servers should hear of: federation implements it and queues the deliveries, so the dependency stays
 * one-way (federation -> statuses). Acts of remote accounts are never reported here.
 */
public interface StatusEvents {
    StatusEvents NONE = new StatusEvents() {
        @Override
        public void posted(Handle h, Status status) {
        }

        @Override
        public void edited(Handle h, Status status) {
        }

        @Override
        public void deleted(Handle h, Status status) {
        }

        @Override
        public void favourited(Handle h, long accountId, Status status, boolean undone) {
        }

        @Override
        public void reblogged(Handle h, Status reblog, boolean undone) {
        }

        @Override
        public void pinned(Handle h, Status status, boolean undone) {
        }
    };

    void posted(Handle h, Status status);

    void edited(Handle h, Status status);

    /** A post deleted by its author (a boost withdrawn comes as {@link #reblogged} undone). */
    void deleted(Handle h, Status status);

    void favourited(Handle h, long accountId, Status status, boolean undone);

    /** {@code reblog} is the boost itself (its {@code reblogOfId} the original). */
    void reblogged(Handle h, Status reblog, boolean undone);

    /** Its author pinned {@code status} to the profile, or unpinned it ({@code undone}). */
    void pinned(Handle h, Status status, boolean undone);
}
