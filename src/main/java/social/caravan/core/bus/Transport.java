package social.caravan.core.bus;

import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

/** How messages travel between processes: PostgreSQL NOTIFY or Redis pub/sub. */
interface Transport extends AutoCloseable {
    /** Sends the message once the publisher's transaction commits (at once outside one). */
    void send(Handle h, BusMessage message);

    /** Starts handing every message sent by any process to {@code receiver}. */
    void receive(Consumer<BusMessage> receiver);

    @Override
    void close();
}
