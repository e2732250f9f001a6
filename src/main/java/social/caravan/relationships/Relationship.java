package social.caravan.relationships;

import java.time.Instant;
import java.util.List;

/**
 * Mastodon's Relationship entity: how the viewer and one account stand. {@code showing_reblogs},
 * {@code notifying} and {@code languages} describe the follow, or the pending request when there is
 * no follow yet. {@code endorsed}: the viewer features the account on its profile.
 */
public record Relationship(String id, boolean following, boolean showingReblogs, boolean notifying,
                           List<String> languages, boolean followedBy, boolean blocking, boolean blockedBy,
                           boolean muting, boolean mutingNotifications, Instant mutingExpiresAt, boolean requested,
                           boolean requestedBy, boolean domainBlocking, boolean endorsed, String note) {}
