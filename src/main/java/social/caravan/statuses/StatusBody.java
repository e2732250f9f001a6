package social.caravan.statuses;

import java.util.List;

/**
 * What a status renders from that only an edit changes: its row, the accounts it mentions, its tags
 * and whether it has a poll (whose votes change all the time, so it is read with each page).
 * Cached by {@link StatusService}.
 */
record StatusBody(Status status, List<Long> mentions, List<String> tags, boolean hasPoll) {}
