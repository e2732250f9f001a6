package social.caravan.instance;

import java.time.Instant;

/** A text operators set in Markdown (the extended description, the privacy policy), and when. */
public record InstanceText(String text, Instant updatedAt) {}
