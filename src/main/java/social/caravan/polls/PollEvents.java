package social.caravan.polls;

import org.jdbi.v3.core.Handle;

/**
 * Told, inside the voting transaction, of each choice a local account makes in a poll, so the poll's
 * server can count it when the poll is remote: federation implements it, and the dependency stays
 * one-way (federation -> polls).
 */
public interface PollEvents {
    PollEvents NONE = (h, voterId, statusId, choice) -> {
    };

    /** {@code voterId} chose option {@code choice} (its index) of the poll of {@code statusId}. */
    void voted(Handle h, long voterId, long statusId, int choice);
}
