package social.caravan.core.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import social.caravan.core.config.Config;

/** The connection pool, JDBI and schema migrations for one PostgreSQL database. */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final EmbeddedPostgresServer embedded;
    private final Config.DatabaseTarget target;

    private Database(HikariDataSource dataSource, Config.DatabaseTarget target, EmbeddedPostgresServer embedded) {
        this.dataSource = dataSource;
        this.target = target;
        this.embedded = embedded;
        this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    }

    /** The configured database, or the embedded one under the data directory (started or joined). */
    public static Database open(Config config) {
        if (config.database().isPresent()) {
            return connect(config.database().get(), config.databasePoolSize());
        }
        EmbeddedPostgresServer server = EmbeddedPostgresServer.startOrJoin(config.dataDir().resolve("postgres"));
        try {
            return new Database(pool(server.target(), config.databasePoolSize()), server.target(), server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public static Database connect(Config.DatabaseTarget target, int poolSize) {
        return new Database(pool(target, poolSize), target, null);
    }

    private static HikariDataSource pool(Config.DatabaseTarget target, int poolSize) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(target.jdbcUrl());
        hikari.setUsername(target.user());
        hikari.setPassword(target.password());
        hikari.setMaximumPoolSize(poolSize);
        hikari.setMinimumIdle(1);
        hikari.setPoolName("caravan");
        try {
            return new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to PostgreSQL at " + target.jdbcUrl()
                    + " as \"" + target.user() + "\": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }

    /** Applies pending migrations; returns how many ran. */
    public int migrate() {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate()
                .migrationsExecuted;
    }

    /** A connection outside the pool, for a LISTEN that holds it for the life of the process. */
    public Connection dedicatedConnection() {
        try {
            return DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to PostgreSQL at " + target.jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
