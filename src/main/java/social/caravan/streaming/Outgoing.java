package social.caravan.streaming;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import social.caravan.core.json.Json;

/**
 * One event as connections receive it. The same instance goes to every connection that gets the
 * same stream label and payload, and each wire form is written once, however many receive it.
 */
final class Outgoing {
    /** A WebSocket message: the payload is a JSON string inside the JSON, as Mastodon sends it. */
    record SocketMessage(List<String> stream, String event, @JsonInclude(JsonInclude.Include.NON_NULL) String payload) {}

    private final List<String> stream;
    private final String event;
    private final String payload;
    private String socketText;
    private volatile ByteBuffer socketBytes;
    private String eventSourceText;

    /** {@code payload} null for events without one ({@code filters_changed}, {@code kill}). */
    Outgoing(List<String> stream, String event, String payload) {
        this.stream = stream;
        this.event = event;
        this.payload = payload;
    }

    synchronized String socketText() {
        if (socketText == null) {
            socketText = Json.write(new SocketMessage(stream, event, payload));
        }
        return socketText;
    }

    /** The socket message encoded once; each connection sends its own view of it, taken without a lock. */
    ByteBuffer socketBytes() {
        ByteBuffer bytes = socketBytes;
        if (bytes == null) {
            synchronized (this) {
                if (socketBytes == null) {
                    socketBytes = ByteBuffer.wrap(socketText().getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
                }
                bytes = socketBytes;
            }
        }
        return bytes.slice();
    }

    synchronized String eventSourceText() {
        if (eventSourceText == null) {
            eventSourceText = "event: " + event + "\ndata: " + (payload == null ? "" : payload) + "\n\n";
        }
        return eventSourceText;
    }
}
