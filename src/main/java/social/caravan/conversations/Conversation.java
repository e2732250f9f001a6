package social.caravan.conversations;

import java.util.List;

/**
 * A direct thread as one account sees it: the other participants (empty for a note to oneself),
 * the newest of its statuses, and whether something arrived since the account last read it.
 */
public record Conversation(long id, long accountId, List<Long> participantIds, long lastStatusId, boolean unread) {}
