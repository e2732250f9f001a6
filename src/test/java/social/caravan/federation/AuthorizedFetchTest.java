package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import social.caravan.support.FakeFediverse;
import social.caravan.support.Http;
import social.caravan.support.TestServer;

/**
 * AUTHORIZED_FETCH=true: ActivityPub documents need a valid signature, the instance actor and WebFinger
 * do not. And a server left with the default guard never reaches loopback peers. And the domains command.
 */
class AuthorizedFetchTest {
    static TestServer secure;
    static TestServer guarded;
    static FakeFediverse peer;

    @BeforeAll
    static void start() {
        secure = TestServer.start(Map.of("AUTHORIZED_FETCH", "true", "CARAVAN_ALLOW_PRIVATE_ADDRESSES", "true"));
        guarded = TestServer.start(Map.of());
        peer = new FakeFediverse();
        peer.actor("remy");
        secure.createAccount("alice");
        guarded.createAccount("alice");
    }

    @AfterAll
    static void stop() {
        secure.close();
        guarded.close();
        peer.close();
    }

    static Http.Response activity(TestServer server, String path) {
        return server.http.send(server.http.request(path).header("Accept", "application/activity+json").GET().build());
    }

    @Test
    void documentsNeedASignatureButTheInstanceActorAndWebFingerDoNot() {
        for (String path : new String[] {"/users/alice", "/@alice", "/users/alice/outbox", "/users/alice/followers",
                "/users/alice/following", "/users/alice/collections/featured", "/users/alice/collections/tags"}) {
            Http.Response unsigned = activity(secure, path);
            assertThat(unsigned.status()).as(path).isEqualTo(401);
            assertThat(unsigned.json().path("error").asString()).isEqualTo("Request not signed");
            assertThat(secure.http.send(peer.signedGet(secure.baseUrl + path, "remy")).status()).as(path).isEqualTo(200);
        }
        assertThat(activity(secure, "/actor").status()).isEqualTo(200);
        assertThat(secure.http.get("/.well-known/webfinger?resource="
                + URLEncoder.encode("acct:alice@" + secure.app.config().localDomain(), StandardCharsets.UTF_8)).status()).isEqualTo(200);
        // Browsers still get the page.
        assertThat(secure.http.send(secure.http.request("/@alice").header("Accept", "text/html").GET().build()).status())
                .isEqualTo(200);
        // Without the setting, unsigned requests are served.
        assertThat(activity(guarded, "/users/alice").status()).isEqualTo(200);
    }

    @Test
    void theDefaultGuardNeverFetchesFromLoopbackPeers() {
        int before = peer.requests.size();
        Http.Response search = guarded.http.get("/api/v2/search?resolve=true&type=accounts&q=remy@" + peer.domain,
                guarded.token("alice", "read"));
        assertThat(search.status()).as(search.body()).isEqualTo(200);
        assertThat(search.json().path("accounts").isEmpty()).as("not resolved").isTrue();
        assertThat(guarded.http.send(peer.signedGet(guarded.baseUrl + "/users/alice", "remy")).status()).isEqualTo(401);
        assertThat(peer.requests.size()).isEqualTo(before);
    }

    static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new DomainsCommand(chore -> chore.applyAsInt(guarded.app.domainBlocks())));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int code = cli.execute(args);
        return code + " " + out.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void theDomainsCommandBlocksListsAndUnblocks() {
        assertThat(run("list")).isEqualTo("0 No blocked domains.");
        assertThat(run("block", "Spam.Example")).isEqualTo("0 Blocked spam.example (suspend)\n"
                + "Queued the purge of what accounts of spam.example and its subdomains stored (job federation.purge_domain)");
        assertThat(run("block", "loud.example", "--severity", "silence", "--reject-media"))
                .isEqualTo("0 Blocked loud.example (silence, reject media)");
        assertThat(run("list")).contains("loud.example  silence  reject-media", "spam.example  suspend");
        DomainBlocks blocks = guarded.app.domainBlocks();
        assertThat(blocks.isSuspended("a.b.spam.example:8443")).isTrue();
        assertThat(blocks.isSuspended("notspam.example")).isFalse();
        assertThat(blocks.isSilenced("loud.example")).isTrue();
        assertThat(blocks.rejectsMedia("loud.example")).isTrue();
        assertThat(blocks.rejectsMedia("spam.example")).isTrue();
        assertThat(run("block", "x.example", "--severity", "obliterate")).startsWith("2 caravan: severity must be");
        assertThat(run("block", "not a domain")).startsWith("2 caravan: not a domain");
        assertThat(run("unblock", "spam.example")).isEqualTo("0 Unblocked spam.example");
        assertThat(run("unblock", "spam.example")).isEqualTo("1 caravan: spam.example is not blocked");
        assertThat(blocks.isSuspended("a.b.spam.example")).isFalse();
        run("unblock", "loud.example");
    }
}
