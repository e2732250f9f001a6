package social.caravan.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import social.caravan.App;
import social.caravan.accounts.Account;
import social.caravan.accounts.AccountService;
import social.caravan.accounts.Role;
import social.caravan.core.config.Config;
import social.caravan.core.http.Scopes;

/**
 * Caravan in-process on a fresh database and a free loopback port, spoken to over real HTTP.
 * One per test class: start it in {@code @BeforeAll}, close it in {@code @AfterAll}.
 */
public final class TestServer implements AutoCloseable {
    public final App app;
    public final String baseUrl;
    public final Http http;
    /** The database this server uses, for other nodes to join. */
    public final String databaseUrl;

    private TestServer(App app, String baseUrl, String databaseUrl) {
        this.app = app;
        this.baseUrl = baseUrl;
        this.http = new Http(baseUrl);
        this.databaseUrl = databaseUrl;
    }

    public static TestServer start() {
        return start(Map.of());
    }

    /** Starts with extra environment variables (e.g. CARAVAN_REGISTRATIONS=approval). */
    public static TestServer start(Map<String, String> env) {
        return start(env, EnumSet.of(App.ProcessRole.WEB));
    }

    /** The web role and a queue worker, for flows that need jobs to run (home feeds). */
    public static TestServer startWithWorker() {
        return startWithWorker(Map.of());
    }

    /** The web role and a queue worker, with extra environment variables. */
    public static TestServer startWithWorker(Map<String, String> env) {
        return start(env, EnumSet.of(App.ProcessRole.WEB, App.ProcessRole.WORKER));
    }

    /** A fresh database and the chosen roles, with extra environment variables. */
    public static TestServer start(Map<String, String> env, java.util.Set<App.ProcessRole> roles) {
        return start(env, roles, TestDatabase.freshDatabaseUrl(), null);
    }

    /**
     * Another node on {@code first}'s database with the chosen roles (e.g. a streaming node beside
     * a web node), on its own port; it serves the same LOCAL_DOMAIN, as nodes behind one proxy do.
     */
    public static TestServer join(TestServer first, Map<String, String> env, java.util.Set<App.ProcessRole> roles) {
        return start(env, roles, first.databaseUrl, first.app.config().localDomain());
    }

    private static TestServer start(Map<String, String> env, java.util.Set<App.ProcessRole> roles, String databaseUrl,
                                    String localDomain) {
        int port = env.containsKey("PORT") ? Integer.parseInt(env.get("PORT")) : freePort();
        Map<String, String> vars = new HashMap<>();
        vars.put("PORT", Integer.toString(port));
        vars.put("LOCAL_DOMAIN", localDomain == null ? "127.0.0.1:" + port : localDomain);
        vars.put("DATABASE_URL", databaseUrl);
        vars.put("DB_POOL", "5");
        vars.putAll(env);
        App app = App.open(Config.from(vars)).serve(roles);
        return new TestServer(app, "http://127.0.0.1:" + port, databaseUrl);
    }

    /** Creates a local account as an operator would (approved, no rate limit); returns its id. */
    public long createAccount(String username) {
        return createAccount(username, Role.USER);
    }

    public long createAccount(String username, Role role) {
        return app.accounts().register(new AccountService.Registration(username, username + "@example.com",
                password(username), role, "en", null, null, true));
    }

    /** The password {@link #createAccount} gives an account. */
    public static String password(String username) {
        return "password-of-" + username;
    }

    /** A bearer token for a local account, as `caravan tokens create` makes it. */
    public String token(String username, String scopes) {
        Account account = app.accounts().findLocal(username).orElseThrow();
        return app.auth().issueOperatorToken(account.id(), Scopes.parse(scopes)).accessToken();
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        app.close();
    }
}
