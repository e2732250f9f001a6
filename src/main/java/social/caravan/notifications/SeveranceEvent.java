package social.caravan.notifications;

import java.time.Instant;

/**
 * What one account lost to a relationship severance event (an operator's domain suspension), the
 * {@code event} of its {@code severed_relationships} notification: Mastodon's
 * AccountRelationshipSeveranceEvent.
 */
record SeveranceEvent(long id, String type, boolean purged, String targetName, int followersCount, int followingCount,
                      Instant createdAt) {}
