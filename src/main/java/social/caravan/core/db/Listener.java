package social.caravan.core.db;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LISTEN on one PostgreSQL channel, on a connection of its own, handing each batch of
 * notifications' payloads to {@code onNotify}. It reconnects after errors and says when it starts
 * and stops listening ({@code onListening}), since notifications sent in between are lost.
 */
public final class Listener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    /** How long a wait for notifications lasts before the connection is checked again. */
    private static final int WAIT_MILLIS = 500;
    /** A quiet connection is probed this often, so a dead one is noticed (and reported) within seconds. */
    private static final long PROBE_NANOS = 5_000_000_000L;

    private final Supplier<Connection> connections;
    private final String channel;
    private final Consumer<List<String>> onNotify;
    private final Consumer<Boolean> onListening;
    private volatile boolean running = true;
    private volatile Connection current;
    private final Thread thread;

    public Listener(Supplier<Connection> connections, String channel, Consumer<List<String>> onNotify) {
        this(connections, channel, onNotify, listening -> { });
    }

    public Listener(Supplier<Connection> connections, String channel, Consumer<List<String>> onNotify,
                    Consumer<Boolean> onListening) {
        this.connections = connections;
        this.channel = channel;
        this.onNotify = onNotify;
        this.onListening = onListening;
        this.thread = Thread.ofPlatform().daemon().name("listen-" + channel).start(this::loop);
    }

    private void loop() {
        while (running) {
            boolean listening = false;
            try (Connection connection = connections.get(); Statement statement = connection.createStatement()) {
                current = connection;
                statement.execute("LISTEN " + channel);
                listening = true;
                onListening.accept(true);
                PGConnection pg = connection.unwrap(PGConnection.class);
                long probed = System.nanoTime();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
                    if (notifications != null && notifications.length > 0) {
                        List<String> payloads = new ArrayList<>(notifications.length);
                        for (PGNotification n : notifications) {
                            payloads.add(n.getParameter());
                        }
                        onNotify.accept(payloads);
                    } else if (System.nanoTime() - probed > PROBE_NANOS) {
                        statement.execute("SELECT 1");
                        probed = System.nanoTime();
                    }
                }
            } catch (Exception e) {
                if (running) {
                    log.warn("LISTEN {} failed, retrying in a second: {}", channel, e.getMessage());
                }
            } finally {
                current = null;
                if (listening) {
                    onListening.accept(false);
                }
            }
            if (running) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        Connection connection = current;
        if (connection != null) {
            try {
                connection.close();
            } catch (java.sql.SQLException e) {
                log.debug("closing the LISTEN connection: {}", e.getMessage());
            }
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
