package social.caravan.notifications;

import java.time.Instant;

/**
 * The mentions from {@code fromAccountId} that the recipient's policy filtered, waiting to be
 * accepted or dismissed; {@code notificationsCount} counts the live ones, up to 100.
 */
record NotificationRequest(long id, long fromAccountId, Long lastStatusId, Instant createdAt, Instant updatedAt,
                           long notificationsCount) {}
