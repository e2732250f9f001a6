package social.caravan.statuses;

import java.util.List;

/**
 * What a status renders from that only an edit changes: its row, the accounts it mentions and its
 * tags. Cached by {@link StatusService}, and current while its {@code editedAt} is the row's.
 */
record StatusBody(Status status, List<Long> mentions, List<String> tags) {}
