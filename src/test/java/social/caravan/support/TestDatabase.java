package social.caravan.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import social.caravan.core.db.Database;

/**
 * One embedded PostgreSQL per test JVM. The schema is migrated once into a template database, and
 * every test class gets its own database cloned from it, which takes milliseconds.
 */
public final class TestDatabase {
    private static final String TEMPLATE = "caravan_template";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestDatabase() {}

    /** A fresh, migrated database; returns its {@code postgres://} URL, as operators would write it. */
    public static synchronized String freshDatabaseUrl() {
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
                execute("CREATE DATABASE " + TEMPLATE);
                try (Database db = Database.connect(target(TEMPLATE), 2)) {
                    db.migrate();
                }
            }
            String name = "caravan_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
            execute("CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE);
            return "postgres://postgres:@127.0.0.1:" + postgres.getPort() + "/" + name;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test PostgreSQL", e);
        }
    }

    private static social.caravan.core.config.Config.DatabaseTarget target(String database) {
        return new social.caravan.core.config.Config.DatabaseTarget(
                "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + database, "postgres", "");
    }

    private static void execute(String sql) {
        try (Connection c = postgres.getPostgresDatabase().getConnection()) {
            c.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
