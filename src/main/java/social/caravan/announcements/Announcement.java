package social.caravan.announcements;

import java.time.Instant;
import java.util.List;

/** An operator's announcement: its text, rendered once, and when it shows. */
public record Announcement(long id, String text, String content, List<Long> mentionAccountIds, List<String> tags,
                           Instant startsAt, Instant endsAt, boolean allDay, Instant publishedAt, Instant updatedAt) {}
