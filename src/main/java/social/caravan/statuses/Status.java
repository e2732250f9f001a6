package social.caravan.statuses;

import java.time.Instant;

/**
 * A post, or a boost of one ({@code reblogOfId} set, no text of its own). {@code uri} and {@code url} are
 * set for statuses from other servers only; {@code media} is their attachments and {@code emojis} their custom emoji, as rendered JSON (null: none).
 */
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
        Instant editedAt,
        String uri,
        String url,
        String media,
        String emojis) {}
