package social.caravan.reports;

import java.time.Instant;
import java.util.List;

/** A report filed by {@code accountId} against {@code targetAccountId}; {@code ruleIds} is null when none were cited. */
public record Report(long id, long accountId, long targetAccountId, List<Long> statusIds, List<Long> ruleIds,
                     String comment, String category, boolean forwarded, Instant actionTakenAt, Instant createdAt) {}
