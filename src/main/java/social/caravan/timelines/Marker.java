package social.caravan.timelines;

import java.time.Instant;

/** Where a person stopped reading a timeline, kept so every app resumes at the same place. */
public record Marker(String timeline, long lastReadId, int version, Instant updatedAt) {}
