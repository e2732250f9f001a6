package social.caravan.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config.from: defaults, the database settings operators write, and start-up failures that name the variable. */
class ConfigTest {

    static Config from(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return Config.from(env);
    }

    // ---------------------------------------------------------------------------------------------
    // Defaults

    @Test
    void defaults() {
        Config c = Config.from(Map.of());
        assertThat(c.port()).isEqualTo(3000);
        assertThat(c.bind()).isEqualTo("127.0.0.1");
        assertThat(c.localDomain()).isEqualTo("localhost:3000");
        assertThat(c.webDomain()).isEqualTo("localhost:3000");
        assertThat(c.https()).isFalse();
        assertThat(c.baseUrl()).isEqualTo("http://localhost:3000");
        assertThat(c.streamingBaseUrl()).isEqualTo("ws://localhost:3000");
        assertThat(c.database()).isEmpty();
        assertThat(c.databasePoolSize()).isEqualTo(10);
        assertThat(c.registrations()).isEqualTo(Config.Registrations.OPEN);
        assertThat(c.trustedProxies()).isEmpty();
        assertThat(c.rateLimits()).isEqualTo(new Config.RateLimits(300, 300, 5, 1800));
        assertThat(c.metricsPort()).isEmpty();
        assertThat(c.metricsToken()).isEmpty();
        assertThat(c.dataDir()).isAbsolute();
        assertThat(c.dataDir().getFileName().toString()).isEqualTo("data");
        assertThat(c.siteTitle()).isEqualTo("Caravan");
    }

    @Test
    void localDomainFollowsPortUnlessSet() {
        assertThat(from("PORT", "4000").localDomain()).isEqualTo("localhost:4000");
        Config c = from("PORT", "4000", "LOCAL_DOMAIN", "example.com");
        assertThat(c.localDomain()).isEqualTo("example.com");
        assertThat(c.port()).isEqualTo(4000);
    }

    @Test
    void httpsByDomain() {
        Config real = from("LOCAL_DOMAIN", "example.com");
        assertThat(real.https()).isTrue();
        assertThat(real.baseUrl()).isEqualTo("https://example.com");
        assertThat(real.streamingBaseUrl()).isEqualTo("wss://example.com");
        assertThat(from("LOCAL_DOMAIN", "localhost").https()).isFalse();
        assertThat(from("LOCAL_DOMAIN", "127.0.0.1:8080").https()).isFalse();
        Config forcedOff = from("LOCAL_DOMAIN", "example.com", "LOCAL_HTTPS", "false");
        assertThat(forcedOff.https()).isFalse();
        assertThat(forcedOff.baseUrl()).isEqualTo("http://example.com");
        assertThat(from("LOCAL_DOMAIN", "localhost:3000", "LOCAL_HTTPS", "true").baseUrl()).isEqualTo("https://localhost:3000");
    }

    @Test
    void webDomainAndStreamingUrl() {
        Config c = from("LOCAL_DOMAIN", "example.com", "WEB_DOMAIN", "social.example.com");
        assertThat(c.localDomain()).isEqualTo("example.com");
        assertThat(c.baseUrl()).isEqualTo("https://social.example.com");
        assertThat(c.streamingBaseUrl()).isEqualTo("wss://social.example.com");
        assertThat(from("LOCAL_DOMAIN", "example.com", "STREAMING_API_BASE_URL", "wss://streaming.example.com/")
                .streamingBaseUrl()).isEqualTo("wss://streaming.example.com");
        assertThat(c.redisUrl()).isEmpty();
        assertThat(from("REDIS_URL", "redis://:secret@redis.internal:6379/2").redisUrl()).contains("redis://:secret@redis.internal:6379/2");
    }

    @Test
    void otherSettings() {
        Config c = from("CARAVAN_REGISTRATIONS", "Approval", "BIND", "0.0.0.0", "DB_POOL", "25",
                "CARAVAN_RATE_LIMIT_API", "100", "CARAVAN_RATE_LIMIT_API_PERIOD", "60",
                "CARAVAN_RATE_LIMIT_SIGNUPS", "3", "CARAVAN_RATE_LIMIT_SIGNUPS_PERIOD", "600",
                "CARAVAN_METRICS_PORT", "9394", "CARAVAN_METRICS_TOKEN", " secret ", "PORT", " 3001 ");
        assertThat(c.registrations()).isEqualTo(Config.Registrations.APPROVAL);
        assertThat(c.bind()).isEqualTo("0.0.0.0");
        assertThat(c.databasePoolSize()).isEqualTo(25);
        assertThat(c.rateLimits()).isEqualTo(new Config.RateLimits(100, 60, 3, 600));
        assertThat(c.metricsPort()).hasValue(9394);
        assertThat(c.metricsToken()).hasValue("secret");
        assertThat(c.port()).isEqualTo(3001);
        // Blank values count as unset.
        assertThat(from("PORT", "", "LOCAL_HTTPS", "  ").port()).isEqualTo(3000);
    }

    @Test
    void trustedProxies() throws Exception {
        Config c = from("TRUSTED_PROXY_IP", "10.0.0.0/8, 192.168.1.1 ::1,2001:db8::/32");
        assertThat(c.trustedProxies()).hasSize(4);
        assertThat(trusted(c, "10.200.3.4")).isTrue();
        assertThat(trusted(c, "11.0.0.1")).isFalse();
        assertThat(trusted(c, "192.168.1.1")).isTrue();
        assertThat(trusted(c, "192.168.1.2")).isFalse();
        assertThat(trusted(c, "::1")).isTrue();
        assertThat(trusted(c, "2001:db8:ffff::1")).isTrue();
        assertThat(trusted(c, "2001:db9::1")).isFalse();
        assertThat(trusted(c, "127.0.0.1")).isFalse();
    }

    static boolean trusted(Config c, String address) throws Exception {
        InetAddress a = InetAddress.getByName(address);
        return c.trustedProxies().stream().anyMatch(range -> range.contains(a));
    }

    // ---------------------------------------------------------------------------------------------
    // The database

    @Test
    void databaseUrl() {
        Config.DatabaseTarget t = from("DATABASE_URL",
                "postgres://mastodon:s3cret@db.example.com:5433/caravan_production?sslmode=require&connectTimeout=5")
                .database().orElseThrow();
        assertThat(t.jdbcUrl()).isEqualTo(
                "jdbc:postgresql://db.example.com:5433/caravan_production?sslmode=require&connectTimeout=5");
        assertThat(t.user()).isEqualTo("mastodon");
        assertThat(t.password()).isEqualTo("s3cret");

        Config.DatabaseTarget plain = from("DATABASE_URL", "postgresql://caravan@db.internal/social").database().orElseThrow();
        assertThat(plain.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/social");
        assertThat(plain.user()).isEqualTo("caravan");
        assertThat(plain.password()).isEmpty();

        // Percent-encoded characters in the password are decoded, as libpq and Rails decode them.
        Config.DatabaseTarget encoded = from("DATABASE_URL", "postgres://u:p%40ss%2Fw%3Ard@10.0.0.5/db").database().orElseThrow();
        assertThat(encoded.user()).isEqualTo("u");
        assertThat(encoded.password()).isEqualTo("p@ss/w:rd");
        assertThat(encoded.jdbcUrl()).isEqualTo("jdbc:postgresql://10.0.0.5:5432/db");

        Config.DatabaseTarget v6 = from("DATABASE_URL", "postgres://u:p@[::1]:6543/db").database().orElseThrow();
        assertThat(v6.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:6543/db");
    }

    @Test
    void databaseVariables() {
        Config.DatabaseTarget t = from("DB_HOST", "db.internal", "DB_PORT", "6432", "DB_NAME", "social",
                "DB_USER", "mastodon", "DB_PASS", "pw").database().orElseThrow();
        assertThat(t.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/social");
        assertThat(t.user()).isEqualTo("mastodon");
        assertThat(t.password()).isEqualTo("pw");

        Config.DatabaseTarget defaults = from("DB_HOST", "db.internal").database().orElseThrow();
        assertThat(defaults.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/caravan");
        assertThat(defaults.user()).isEqualTo("caravan");
        assertThat(defaults.password()).isEmpty();

        // DATABASE_URL wins over DB_*.
        Config.DatabaseTarget both = from("DATABASE_URL", "postgres://a:b@url-host/urldb", "DB_HOST", "db-host")
                .database().orElseThrow();
        assertThat(both.jdbcUrl()).isEqualTo("jdbc:postgresql://url-host:5432/urldb");
        // Without DB_HOST the DB_* details alone do not leave the embedded database.
        assertThat(from("DB_NAME", "social").database()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // Invalid values fail start-up, naming the variable

    @Test
    void invalidValuesNameTheVariable() {
        String[][] cases = {
                {"PORT", "abc"},
                {"PORT", "70000"},
                {"PORT", "0"},
                {"PORT", "-1"},
                {"LOCAL_HTTPS", "maybe"},
                {"CARAVAN_REGISTRATIONS", "sometimes"},
                {"DATABASE_URL", "mysql://x/y"},
                {"DATABASE_URL", "postgres://host-without-database"},
                {"DATABASE_URL", "postgres://"},
                {"DATABASE_URL", "not a url at all"},
                {"TRUSTED_PROXY_IP", "not-an-ip"},
                {"TRUSTED_PROXY_IP", "dead.beef"},
                {"TRUSTED_PROXY_IP", "10.0.0.0/33"},
                {"TRUSTED_PROXY_IP", "10.0.0.0/x"},
                {"TRUSTED_PROXY_IP", "10.0.0.1, proxy.example.com"},
                {"CARAVAN_FOO", "1"},
                {"CARAVAN_RATE_LIMIT_API", "0"},
                {"CARAVAN_RATE_LIMIT_API", "lots"},
                {"CARAVAN_METRICS_PORT", "99999"},
                {"DB_POOL", "0"},
                {"LOCAL_DOMAIN", "https://example.com"},
                {"LOCAL_DOMAIN", "example.com/path"},
                {"STREAMING_API_BASE_URL", "streaming.example.com"},
                {"REDIS_URL", "localhost:6379"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> from(c[0], c[1]))
                    .as("%s=%s", c[0], c[1])
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(c[0] + " ");
        }
        assertThatThrownBy(() -> from("DB_HOST", "db", "DB_PORT", "five"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("DB_PORT ");
    }

    @Test
    void messagesSayWhatWasWrong() {
        assertThatThrownBy(() -> from("PORT", "abc")).hasMessageContaining("\"abc\"");
        assertThatThrownBy(() -> from("PORT", "70000")).hasMessageContaining("65535");
        assertThatThrownBy(() -> from("CARAVAN_REGISTRATIONS", "sometimes"))
                .hasMessageContaining("open").hasMessageContaining("approval").hasMessageContaining("closed");
        assertThatThrownBy(() -> from("DATABASE_URL", "mysql://x/y")).hasMessageContaining("postgres://");
        assertThatThrownBy(() -> from("CARAVAN_FOO", "1")).hasMessageContaining("CARAVAN_REGISTRATIONS");
    }

    @Test
    void secretsStayOutOfMessages() {
        assertThatThrownBy(() -> from("DATABASE_URL", "mysql://user:hunter2@x/y"))
                .isInstanceOf(ConfigException.class)
                .message().doesNotContain("hunter2");
    }

    // ---------------------------------------------------------------------------------------------
    // The .env file

    @Test
    void envFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(".env");
        Files.writeString(file, """
                # a comment
                LOCAL_DOMAIN=example.com
                export PORT=4000
                CARAVAN_SITE_TITLE="My server"
                DB_PASS='quoted pass'

                BIND = 0.0.0.0
                """);
        Map<String, String> values = EnvFile.read(file);
        assertThat(values).containsEntry("LOCAL_DOMAIN", "example.com").containsEntry("PORT", "4000")
                .containsEntry("CARAVAN_SITE_TITLE", "My server").containsEntry("DB_PASS", "quoted pass")
                .containsEntry("BIND", "0.0.0.0").hasSize(5);
        assertThat(Config.from(values).siteTitle()).isEqualTo("My server");
        assertThat(EnvFile.read(dir.resolve("missing.env"))).isEmpty();

        Files.writeString(file, "LOCAL_DOMAIN=example.com\nthis line is wrong\n");
        assertThatThrownBy(() -> EnvFile.read(file)).isInstanceOf(ConfigException.class).hasMessageContaining("line 2");
    }
}
