package social.caravan.core.queue;

import java.sql.Connection;
import java.sql.Statement;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LISTEN on one PostgreSQL channel, on a connection of its own, calling {@code onNotify} for each
 * batch of notifications. It reconnects after errors; callers poll as well, so a lost notification
 * only delays work, never loses it.
 */
final class Listener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Listener.class);

    private final Supplier<Connection> connections;
    private final String channel;
    private final Runnable onNotify;
    private volatile boolean running = true;
    private volatile Connection current;
    private final Thread thread;

    Listener(Supplier<Connection> connections, String channel, Runnable onNotify) {
        this.connections = connections;
        this.channel = channel;
        this.onNotify = onNotify;
        this.thread = Thread.ofPlatform().daemon().name("listen-" + channel).start(this::loop);
    }

    private void loop() {
        while (running) {
            try (Connection connection = connections.get(); Statement statement = connection.createStatement()) {
                current = connection;
                statement.execute("LISTEN " + channel);
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(500);
                    if (notifications != null && notifications.length > 0) {
                        onNotify.run();
                    }
                }
            } catch (Exception e) {
                if (running) {
                    log.warn("LISTEN {} failed, polling until it reconnects: {}", channel, e.getMessage());
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            } finally {
                current = null;
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
