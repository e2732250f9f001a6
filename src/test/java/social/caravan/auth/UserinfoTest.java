package social.caravan.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.http.Scopes;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/** GET /oauth/userinfo: the token's account as OpenID Connect claims. */
class UserinfoTest {
    static TestServer server;
    static Http http;
    static long alice;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
        alice = server.createAccount("alice");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void describesTheTokensAccount() {
        String token = server.token("alice", "profile");
        Http.Response r = http.get("/oauth/userinfo", token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode info = r.json();
        assertThat(info.propertyNames()).containsExactlyInAnyOrder("iss", "sub", "name", "preferred_username", "profile",
                "picture");
        assertThat(info.path("iss").asString()).isEqualTo(server.baseUrl + "/");
        assertThat(info.path("preferred_username").asString()).isEqualTo("alice");
        JsonNode account = http.get("/api/v1/accounts/" + alice).json();
        assertThat(info.path("sub").asString()).isEqualTo(account.path("uri").asString());
        assertThat(info.path("profile").asString()).isEqualTo(account.path("url").asString());
        assertThat(info.path("picture").asString()).isEqualTo(account.path("avatar").asString());
        assertThat(info.path("name").asString()).isEqualTo(account.path("display_name").asString());

        Http.Response posted = http.postJson("/oauth/userinfo", token, "");
        assertThat(posted.status()).isEqualTo(200);
        assertThat(posted.json()).isEqualTo(info);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
    }

    @Test
    void onlyTheProfileScopeWithAUser() {
        assertThat(http.get("/oauth/userinfo").status()).isEqualTo(401);
        assertThat(http.get("/oauth/userinfo", "no-such-token").status()).isEqualTo(401);
        Http.Response read = http.get("/oauth/userinfo", server.token("alice", "read write"));
        assertThat(read.status()).as("read does not grant profile").isEqualTo(403);
        assertThat(read.json().path("error").asString()).isEqualTo("This action is outside the authorized scopes");

        AuthService auth = server.app.auth();
        AuthService.RegisteredApp app = auth.registerApp("Client", List.of("urn:ietf:wg:oauth:2.0:oob"),
                Scopes.of("read", "profile"), null);
        String appToken = auth.issueToken(app.app().id(), OptionalLong.empty(), Scopes.of("profile")).accessToken();
        Http.Response noUser = http.get("/oauth/userinfo", appToken);
        assertThat(noUser.status()).isEqualTo(422);
        assertThat(noUser.json().path("error").asString()).isEqualTo("This method requires an authenticated user");
    }

    @Test
    void theServerMetadataNamesTheEndpoint() {
        Http.Response r = http.get("/.well-known/oauth-authorization-server");
        MastodonSchemas.assertValid("DiscoverOauthServerConfigurationResponse", r.body());
        assertThat(r.json().path("userinfo_endpoint").asString()).isEqualTo(server.baseUrl + "/oauth/userinfo");
    }
}
