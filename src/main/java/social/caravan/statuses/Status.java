package social.caravan.statuses;

import java.time.Instant;

/** A post, or a boost of one ({@code reblogOfId} set, no text of its own). */
public record Status(
        long id,
        long accountId,
        String text,
        String content,
        String spoilerText,
        boolean sensitive,
        Visibility visibility,
        String language,
        Long inReplyToId,
        Long inReplyToAccountId,
        Long reblogOfId,
        long conversationId,
        Long applicationId,
        Instant createdAt,
        Instant editedAt) {}
