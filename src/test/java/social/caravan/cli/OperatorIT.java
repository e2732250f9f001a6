package social.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.NodeScripts;
import tools.jackson.databind.JsonNode;

/**
 * Caravan as an operator runs it: the built jar, no DATABASE_URL (so the embedded PostgreSQL under
 * the data directory), CLI commands run while the server is up (they join its PostgreSQL), and a
 * real Mastodon client (masto.js) using a token from {@code caravan tokens create}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorIT {
    private static final Path JAR = Path.of("target/caravan.jar").toAbsolutePath();

    @TempDir
    static Path workDir;

    static Process server;
    static int port;
    static Http http;

    record Run(int exit, String stdout, String stderr) {}

    @BeforeAll
    static void startServer() throws Exception {
        assertThat(JAR).as("run `mvn verify`, which builds the jar first").exists();
        port = freePort();
        http = new Http("http://127.0.0.1:" + port);
        server = command(List.of("serve"), Map.of()).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("server.log").toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (true) {
            assertThat(server.isAlive()).as("server exited: %s", log()).isTrue();
            try {
                if (http.get("/health").status() == 200) {
                    break;
                }
            } catch (UncheckedIOException notYet) {
                // still starting
            }
            assertThat(Instant.now()).as("server did not answer /health: %s", log()).isBefore(deadline);
            Thread.sleep(250);
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(1)
    void accountsCreateWhileTheServerRuns() {
        Run created = cli("accounts", "create", "alice", "--email", "alice@example.com",
                "--password", "correct-horse", "--role", "admin");
        assertThat(created.exit()).as(created.stderr()).isZero();
        assertThat(created.stdout()).contains("Created @alice");

        Run duplicate = cli("accounts", "create", "alice", "--email", "other@example.com", "--password", "correct-horse");
        assertThat(duplicate.exit()).isEqualTo(1);
        assertThat(duplicate.stderr()).contains("Username has already been taken");

        Run listed = cli("accounts", "list");
        assertThat(listed.stdout()).contains("alice").contains("alice@example.com").contains("admin").contains("active");
    }

    @Test
    @Order(2)
    void mastoJsSignsInWithATokenFromTheCli() {
        Run token = cli("tokens", "create", "alice", "--scopes", "read write follow push");
        assertThat(token.exit()).as(token.stderr()).isZero();
        String bearer = token.stdout().strip();
        assertThat(bearer).as("only the token on standard output").matches("[A-Za-z0-9_-]{43}");

        String out = NodeScripts.run("masto-verify.mjs",
                Map.of("CARAVAN_URL", "http://127.0.0.1:" + port, "CARAVAN_TOKEN", bearer), Duration.ofMinutes(2));
        JsonNode seen = Json.read(out.strip());
        // No LOCAL_DOMAIN is set, so the default, localhost:PORT, names the server.
        // masto.js turns snake_case keys into camelCase for its users.
        assertThat(seen.path("account").path("username").asString()).isEqualTo("alice");
        assertThat(seen.path("account").path("role").path("name").asString()).isEqualTo("Admin");
        assertThat(seen.path("account").path("source").path("privacy").asString()).isEqualTo("public");
        assertThat(seen.path("instance").path("domain").asString()).isEqualTo("localhost:" + port);
        assertThat(seen.path("instance").path("configuration").path("urls").path("streaming").asString())
                .isEqualTo("ws://localhost:" + port);
        assertThat(seen.path("instance").path("apiVersions").path("mastodon").asInt()).isPositive();
    }

    @Test
    @Order(3)
    void modifyDisablesAndDeleteRemovesTheAccount() {
        String bearer = cli("tokens", "create", "alice", "--scopes", "read").stdout().strip();
        assertThat(http.get("/api/v1/accounts/verify_credentials", bearer).status()).isEqualTo(200);

        assertThat(cli("accounts", "modify", "alice", "--disable").exit()).isZero();
        Http.Response disabled = http.get("/api/v1/accounts/verify_credentials", bearer);
        assertThat(disabled.status()).isEqualTo(403);
        assertThat(disabled.json().path("error").asString()).isEqualTo("Your login is currently disabled");

        assertThat(cli("accounts", "modify", "alice", "--enable", "--role", "moderator").exit()).isZero();
        Http.Response enabled = http.get("/api/v1/accounts/verify_credentials", bearer);
        assertThat(enabled.status()).isEqualTo(200);
        assertThat(enabled.json().path("role").path("name").asString()).isEqualTo("Moderator");

        Run bad = cli("accounts", "modify", "nobody", "--disable");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.stderr()).contains("Record not found");

        assertThat(cli("accounts", "delete", "alice").exit()).isZero();
        assertThat(http.get("/api/v1/accounts/verify_credentials", bearer).status()).isEqualTo(401);
        assertThat(http.get("/api/v1/accounts/lookup?acct=alice").status()).isEqualTo(404);
    }

    @Test
    @Order(4)
    void invalidConfigurationNamesTheVariable() {
        Run run = cli(Map.of("CARAVAN_REGISTRATIONS", "sometimes"), "accounts", "list");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains("CARAVAN_REGISTRATIONS").contains("open, approval, closed");
        Run typo = cli(Map.of("CARAVAN_REGISTRATION", "open"), "accounts", "list");
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.stderr()).contains("CARAVAN_REGISTRATION is not a Caravan setting");
    }

    @Test
    @Order(5)
    void afterTheServerStopsTheCliRunsItsOwnPostgres() throws Exception {
        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("server stops on SIGTERM: %s", log()).isTrue();
        // PostgreSQL stops last: the worker could still give its jobs back.
        assertThat(log()).contains("unfinished job(s) given back to the queue").doesNotContain("stopping Worker failed");
        Path pid = workDir.resolve("data/postgres/postmaster.pid");
        assertThat(pid).as("the embedded PostgreSQL stopped with the server").doesNotExist();

        Run created = cli("accounts", "create", "bob", "--email", "bob@example.com");
        assertThat(created.exit()).as(created.stderr()).isZero();
        assertThat(created.stdout()).contains("Created @bob").contains("Password: ");
        assertThat(cli("accounts", "list").stdout()).contains("bob");
        assertThat(pid).as("the CLI stops the PostgreSQL it started").doesNotExist();
    }

    private static Run cli(String... args) {
        return cli(Map.of(), args);
    }

    private static Run cli(Map<String, String> env, String... args) {
        try {
            Process p = command(List.of(args), env).start();
            p.getOutputStream().close();
            var stdout = p.getInputStream().readAllBytes();
            var stderr = p.getErrorStream().readAllBytes();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            return new Run(p.exitValue(), new String(stdout, StandardCharsets.UTF_8), new String(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ProcessBuilder command(List<String> args, Map<String, String> env) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> vars = pb.environment();
        vars.keySet().removeIf(k -> k.startsWith("CARAVAN_") || k.startsWith("DB_") || k.equals("DATABASE_URL")
                || k.equals("LOCAL_DOMAIN") || k.equals("PORT"));
        vars.put("PORT", Integer.toString(port));
        vars.put("CARAVAN_DATA_DIR", workDir.resolve("data").toString());
        vars.putAll(new HashMap<>(env));
        return pb;
    }

    private static String log() {
        try {
            return Files.readString(workDir.resolve("server.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
