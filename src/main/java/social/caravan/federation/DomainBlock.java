package social.caravan.federation;

import java.time.Instant;
import java.util.Locale;

/** An operator's block of a server and the servers under its domain. */
public record DomainBlock(String domain, Severity severity, boolean rejectMedia, Instant createdAt) {

    /** Mastodon's severities: {@code noop} only rejects media (when asked), {@code silence} limits, {@code suspend} cuts off. */
    public enum Severity {
        NOOP, SILENCE, SUSPEND;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Severity parse(String text) {
            return switch (text == null ? "" : text.toLowerCase(Locale.ROOT)) {
                case "noop" -> NOOP;
                case "silence" -> SILENCE;
                case "suspend" -> SUSPEND;
                default -> throw new IllegalArgumentException("severity must be noop, silence or suspend");
            };
        }
    }
}
