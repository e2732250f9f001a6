package social.caravan.core.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything Caravan reads from its environment, validated once at start-up.
 * Mastodon's variable names where they exist, {@code CARAVAN_*} for our own.
 */
public record Config(
        String localDomain,
        String webDomain,
        boolean https,
        String bind,
        int port,
        Path dataDir,
        Optional<DatabaseTarget> database,
        int databasePoolSize,
        Registrations registrations,
        String siteTitle,
        String siteDescription,
        String siteContactEmail,
        String streamingBaseUrl,
        Optional<String> redisUrl,
        List<IpRange> trustedProxies,
        RateLimits rateLimits,
        Optional<Integer> metricsPort,
        Optional<String> metricsToken,
        int workerConcurrency,
        int queueLeaseSeconds,
        int activeDays,
        boolean allowPrivateAddresses,
        boolean authorizedFetch) {

    public enum Registrations { OPEN, APPROVAL, CLOSED }

    /** An external PostgreSQL; absent means the embedded one under the data directory. */
    public record DatabaseTarget(String jdbcUrl, String user, String password) {}

    /** Requests allowed per period; loopback clients are exempt, as on Mastodon. */
    public record RateLimits(int apiRequests, int apiPeriodSeconds, int signUps, int signUpPeriodSeconds) {}

    /** Every variable Caravan reads, so a typo in a CARAVAN_* name fails loudly. */
    public static final List<String> KNOWN = List.of(
            "LOCAL_DOMAIN", "WEB_DOMAIN", "LOCAL_HTTPS", "BIND", "PORT", "CARAVAN_DATA_DIR",
            "DATABASE_URL", "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASS", "DB_POOL",
            "CARAVAN_REGISTRATIONS", "CARAVAN_SITE_TITLE", "CARAVAN_SITE_DESCRIPTION",
            "CARAVAN_SITE_CONTACT_EMAIL", "STREAMING_API_BASE_URL", "REDIS_URL", "TRUSTED_PROXY_IP",
            "CARAVAN_RATE_LIMIT_API", "CARAVAN_RATE_LIMIT_API_PERIOD", "CARAVAN_RATE_LIMIT_SIGNUPS",
            "CARAVAN_RATE_LIMIT_SIGNUPS_PERIOD", "CARAVAN_METRICS_PORT", "CARAVAN_METRICS_TOKEN",
            "CARAVAN_WORKER_CONCURRENCY", "CARAVAN_QUEUE_LEASE_SECONDS", "CARAVAN_LOG_LEVEL", "CARAVAN_ACTIVE_DAYS",
            "CARAVAN_ALLOW_PRIVATE_ADDRESSES", "AUTHORIZED_FETCH");

    public static Config from(Map<String, String> env) {
        var vars = new Variables(env);
        for (String name : env.keySet()) {
            if (name.startsWith("CARAVAN_") && !KNOWN.contains(name)) {
                throw new ConfigException(name, "is not a Caravan setting (known: " + String.join(", ", KNOWN) + ")");
            }
        }
        int port = vars.integer("PORT", 3000, 1, 65535);
        String localDomain = vars.string("LOCAL_DOMAIN", "localhost:" + port);
        if (!localDomain.matches("[A-Za-z0-9.\\-]+(:\\d{1,5})?")) {
            throw new ConfigException("LOCAL_DOMAIN", "must be a host name with an optional port, like example.com");
        }
        String webDomain = vars.string("WEB_DOMAIN", localDomain);
        // A loopback domain cannot have a certificate, so plain http is the only default that works there.
        boolean https = vars.bool("LOCAL_HTTPS", !isLoopbackName(localDomain));
        String scheme = https ? "wss://" : "ws://";
        int metricsPort = vars.integer("CARAVAN_METRICS_PORT", 0, 0, 65535);
        return new Config(
                localDomain,
                webDomain,
                https,
                vars.string("BIND", "127.0.0.1"),
                port,
                Path.of(vars.string("CARAVAN_DATA_DIR", "data")).toAbsolutePath(),
                databaseTarget(vars),
                vars.integer("DB_POOL", 10, 1, 1000),
                vars.choice("CARAVAN_REGISTRATIONS", Registrations.OPEN, Registrations.class),
                vars.string("CARAVAN_SITE_TITLE", "Caravan"),
                vars.string("CARAVAN_SITE_DESCRIPTION", "A Caravan server"),
                vars.string("CARAVAN_SITE_CONTACT_EMAIL", ""),
                vars.url("STREAMING_API_BASE_URL", scheme + webDomain),
                redisUrl(vars),
                IpRange.parseList("TRUSTED_PROXY_IP", vars.string("TRUSTED_PROXY_IP", "")),
                new RateLimits(
                        vars.integer("CARAVAN_RATE_LIMIT_API", 300, 1, Integer.MAX_VALUE),
                        vars.integer("CARAVAN_RATE_LIMIT_API_PERIOD", 300, 1, Integer.MAX_VALUE),
                        vars.integer("CARAVAN_RATE_LIMIT_SIGNUPS", 5, 1, Integer.MAX_VALUE),
                        vars.integer("CARAVAN_RATE_LIMIT_SIGNUPS_PERIOD", 1800, 1, Integer.MAX_VALUE)),
                metricsPort == 0 ? Optional.empty() : Optional.of(metricsPort),
                vars.optional("CARAVAN_METRICS_TOKEN"),
                vars.integer("CARAVAN_WORKER_CONCURRENCY", 16, 1, 1024),
                vars.integer("CARAVAN_QUEUE_LEASE_SECONDS", 30, 2, 3600),
                vars.integer("CARAVAN_ACTIVE_DAYS", 7, 1, 3650),
                vars.bool("CARAVAN_ALLOW_PRIVATE_ADDRESSES", false),
                vars.bool("AUTHORIZED_FETCH", false));
    }

    /** The base of every URL Caravan generates, e.g. {@code https://example.com}. */
    public String baseUrl() {
        return (https ? "https://" : "http://") + webDomain;
    }

    private static boolean isLoopbackName(String domain) {
        String host = domain.replaceFirst(":\\d+$", "");
        return host.equals("localhost") || host.startsWith("127.");
    }

    /** Redis for the event bus; absent means PostgreSQL NOTIFY carries events between processes. */
    private static Optional<String> redisUrl(Variables vars) {
        Optional<String> url = vars.optional("REDIS_URL");
        if (url.isPresent() && !url.get().matches("rediss?://\\S+")) {
            throw new ConfigException("REDIS_URL", "must look like redis://[:password@]host:port[/db] (or rediss://)");
        }
        return url;
    }

    private static Optional<DatabaseTarget> databaseTarget(Variables vars) {
        Optional<String> url = vars.optional("DATABASE_URL");
        if (url.isPresent()) {
            return Optional.of(parseDatabaseUrl(url.get()));
        }
        Optional<String> host = vars.optional("DB_HOST");
        if (host.isEmpty()) {
            return Optional.empty();
        }
        int port = vars.integer("DB_PORT", 5432, 1, 65535);
        String name = vars.string("DB_NAME", "caravan");
        return Optional.of(new DatabaseTarget(
                "jdbc:postgresql://" + host.get() + ":" + port + "/" + name,
                vars.string("DB_USER", "caravan"),
                vars.string("DB_PASS", "")));
    }

    /** Accepts {@code postgres://user:password@host:port/db?params} (and postgresql://), as operators write it. */
    static DatabaseTarget parseDatabaseUrl(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (Exception e) {
            throw new ConfigException("DATABASE_URL", "is not a URL: expected postgres://user:password@host:port/database");
        }
        if (!"postgres".equals(uri.getScheme()) && !"postgresql".equals(uri.getScheme())) {
            throw new ConfigException("DATABASE_URL", "must start with postgres:// (got " + uri.getScheme() + ")");
        }
        if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() <= 1) {
            throw new ConfigException("DATABASE_URL", "needs a host and a database name: postgres://user:password@host:port/database");
        }
        String user = "";
        String password = "";
        if (uri.getUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            user = parts[0];
            password = parts.length > 1 ? parts[1] : "";
        }
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new DatabaseTarget(jdbc, user, password);
    }
}
