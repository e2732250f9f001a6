package social.caravan.core.bus;

import social.caravan.core.json.Json;

/**
 * One event on one channel: Mastodon's event name and a small payload (an id, or a short JSON
 * text). Streaming nodes render entities themselves, for each viewer, so a message stays far
 * below PostgreSQL's 8000-byte NOTIFY limit.
 */
public record BusMessage(String channel, String event, String payload) {
    /** PostgreSQL refuses NOTIFY payloads of 8000 bytes and more; ours are ids, this is a guard. */
    static final int MAX_BYTES = 7900;

    String encode() {
        return Json.write(this);
    }

    static BusMessage decode(String text) {
        return Json.MAPPER.readValue(text, BusMessage.class);
    }
}
