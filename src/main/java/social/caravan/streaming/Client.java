package social.caravan.streaming;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import social.caravan.core.http.Principal;

/**
 * One open stream connection (a WebSocket or an EventSource response) of a signed-in account.
 * Sending never blocks: a message is queued for the connection, and a connection that lets too
 * many pile up is closed, so one slow reader never holds back the others.
 */
abstract class Client {
    /** Messages a connection may have waiting before it is judged too slow and closed. */
    static final int MAX_PENDING = 1000;

    final long accountId;
    final Principal principal;
    /** The subscriptions of this connection, by {@link Stream#key()}. */
    final Map<String, Stream> streams = new ConcurrentHashMap<>();

    Client(Principal principal) {
        this.principal = principal;
        this.accountId = principal.accountId().orElseThrow();
    }

    /** "websocket" or "eventsource", as Mastodon's metrics label them. */
    abstract String type();

    /** Queues one event. */
    abstract void send(Outgoing message);

    /** Closes the connection (a revoked token, too slow a reader, the node stopping). */
    abstract void close();
}
