package social.caravan.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.NodeScripts;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/** The real masto.js client drives two accounts through following, posting and reacting. */
class MastoScenarioTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.startWithWorker();
        server.createAccount("ann");
        server.createAccount("ben");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void twoPeopleFollowPostReplyFavouriteBoostAndBookmark() {
        String out = NodeScripts.run("masto-scenario.mjs", Map.of(
                "CARAVAN_URL", server.baseUrl,
                "CARAVAN_TOKEN_A", server.token("ann", "read write follow"),
                "CARAVAN_TOKEN_B", server.token("ben", "read write follow")), Duration.ofMinutes(2));
        JsonNode seen = Json.read(out.strip());
        String post = seen.path("post").path("id").asString();
        String reply = seen.path("reply").path("id").asString();
        String boost = seen.path("boost").path("id").asString();

        assertThat(seen.path("follows").path("ab").asBoolean()).isTrue();
        assertThat(seen.path("follows").path("relationship").path("followedBy").asBoolean()).isTrue();
        assertThat(seen.path("post").path("mentions").get(0).asString()).isEqualTo("ben");
        assertThat(seen.path("post").path("tags").get(0).asString()).isEqualTo("caravan");
        assertThat(seen.path("reply").path("inReplyToId").asString()).isEqualTo(post);
        assertThat(seen.path("favourited").path("count").asInt()).isEqualTo(1);
        assertThat(seen.path("boost").path("of").asString()).isEqualTo(post);
        assertThat(seen.path("bookmarked").asBoolean()).isTrue();

        assertThat(ids(seen.path("homeA"))).contains(post, reply).doesNotContain(boost)
                .as("ann does not see ben's boost of her own post");
        assertThat(ids(seen.path("homeB"))).contains(post, reply);

        List<String> annNotifications = new ArrayList<>();
        seen.path("notificationsA").forEach(n -> annNotifications.add(n.path("type").asString() + ":" + n.path("account").asString()));
        assertThat(annNotifications).contains("follow:ben", "mention:ben", "favourite:ben", "reblog:ben");
        List<String> benNotifications = new ArrayList<>();
        seen.path("notificationsB").forEach(n -> benNotifications.add(n.path("type").asString() + ":" + n.path("account").asString()));
        assertThat(benNotifications).contains("follow:ann", "mention:ann");

        assertThat(seen.path("context").path("descendants").get(0).asString()).isEqualTo(reply);
        assertThat(seen.path("bookmarks").get(0).asString()).isEqualTo(reply);
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.forEach(s -> ids.add(s.path("id").asString()));
        return ids;
    }
}
