package social.caravan.core.bus;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.core.db.Listener;

/** NOTIFY caravan_bus inside the publisher's transaction, so PostgreSQL delivers it only if it commits. */
final class PostgresTransport implements Transport {
    static final String CHANNEL = "caravan_bus";
    private static final Logger log = LoggerFactory.getLogger(PostgresTransport.class);

    private final Supplier<Connection> connections;
    private Listener listener;

    PostgresTransport(Supplier<Connection> connections) {
        this.connections = connections;
    }

    @Override
    public void send(Handle h, BusMessage message) {
        String text = message.encode();
        if (text.getBytes(StandardCharsets.UTF_8).length > BusMessage.MAX_BYTES) {
            throw new IllegalArgumentException("bus message too large for NOTIFY on " + message.channel());
        }
        h.createQuery("SELECT 1 FROM (SELECT pg_notify('" + CHANNEL + "', :message)) sent")
                .bind("message", text).mapTo(Integer.class).one();
    }

    @Override
    public void receive(Consumer<BusMessage> receiver) {
        listener = new Listener(connections, CHANNEL, payloads -> {
            for (String payload : payloads) {
                try {
                    receiver.accept(BusMessage.decode(payload));
                } catch (RuntimeException e) {
                    log.warn("ignoring a {} message: {}", CHANNEL, e.getMessage());
                }
            }
        });
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
    }
}
