package social.caravan.core.queue;

import java.time.Instant;
import social.caravan.core.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;

/** A job as its handler sees it. {@code attempts} counts this run too. */
public record Job(long id, String queue, String type, String payload, int attempts, Instant createdAt) {
    /** A payload missing a field its record needs no longer fits: a renamed field must not read as zero. */
    private static final ObjectReader STRICT = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** The payload as a record or class; a payload that no longer fits is a {@link BadPayloadException}. */
    public <T> T payload(Class<T> type) {
        T value;
        try {
            value = STRICT.forType(type).readValue(payload);
        } catch (JacksonException e) {
            throw new BadPayloadException("payload does not parse as " + type.getSimpleName() + ": " + e.getOriginalMessage());
        }
        if (value == null) {
            // A JSON null reads as no object at all; the handler could only fail on it, attempt after attempt.
            throw new BadPayloadException("payload does not parse as " + type.getSimpleName() + ": it is null");
        }
        return value;
    }

    /** A job that can never succeed as it is: it goes to the dead set at once, with this reason. */
    public static final class BadPayloadException extends RuntimeException {
        public BadPayloadException(String message) {
            super(message);
        }
    }
}
