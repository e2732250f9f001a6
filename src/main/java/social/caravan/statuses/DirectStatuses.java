package social.caravan.statuses;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Told of every direct status posted or deleted, inside the transaction that does it, so the
 * conversations room keeps its lists exact. An interface here keeps the dependency one-way
 * (conversations -> statuses); {@code App} passes the conversations room in.
 */
public interface DirectStatuses {
    void posted(Handle h, Status status, List<Long> mentionedAccountIds);

    void deleted(Handle h, Status status);
}
