package social.caravan.core.queue;

import java.time.Instant;

/** One outbound request waiting in its destination's lane: a body to POST to {@code target}. */
public record Delivery(long id, String host, String target, String payload, Instant createdAt) {}
