package social.caravan.filters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.support.ApiFixture;
import social.caravan.support.ApiFixture.Person;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import tools.jackson.databind.JsonNode;

/** Filters v2 (with keywords and statuses) and v1 over HTTP: CRUD, validation, ownership, scopes, Deprecation. */
class FiltersApiTest {
    static ApiFixture f;

    @BeforeAll
    static void start() {
        f = new ApiFixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static JsonNode ok(Http.Response r, String schema) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        if (r.json().isArray()) {
            MastodonSchemas.assertValidArray(schema, r.body());
        } else {
            MastodonSchemas.assertValid(schema, r.body());
        }
        return r.json();
    }

    static void error(Http.Response r, int status, String message) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        MastodonSchemas.assertValid("Error", r.body());
        assertThat(r.json().path("error").asString()).isEqualTo(message);
    }

    static JsonNode create(Person p, String json) {
        return ok(f.http.postJson("/api/v2/filters", p.token(), json), "Filter");
    }

    static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asString()));
        return out;
    }

    @Test
    void aFilterIsCreatedReadUpdatedAndDeleted() {
        Person me = f.person("owner");
        JsonNode made = create(me, """
                {"title": "Spoilers", "context": ["home", "public"], "filter_action": "warn", "expires_in": 3600,
                 "keywords_attributes": [{"keyword": "finale", "whole_word": false}, {"keyword": "ending"},
                                         {"keyword": "", "whole_word": false}, {"keyword": "dropped", "_destroy": true}]}""");
        String id = made.path("id").asString();
        assertThat(made.path("title").asString()).isEqualTo("Spoilers");
        assertThat(made.path("context").size()).isEqualTo(2);
        assertThat(made.path("context").get(0).asString()).isEqualTo("home");
        assertThat(made.path("filter_action").asString()).isEqualTo("warn");
        assertThat(made.path("expires_at").isString()).isTrue();
        assertThat(texts(made.path("keywords"), "keyword")).containsExactly("finale", "ending");
        assertThat(made.path("keywords").get(0).path("whole_word").asBoolean()).isFalse();
        assertThat(made.path("keywords").get(1).path("whole_word").asBoolean()).as("whole_word defaults to true").isTrue();
        assertThat(made.path("statuses").isArray()).isTrue();

        assertThat(ok(f.http.get("/api/v2/filters/" + id, me.token()), "Filter")).isEqualTo(made);
        assertThat(texts(ok(f.http.get("/api/v2/filters", me.token()), "Filter"), "id")).containsExactly(id);

        String finale = made.path("keywords").get(0).path("id").asString();
        String ending = made.path("keywords").get(1).path("id").asString();
        JsonNode changed = ok(f.put("/api/v2/filters/" + id, me.token(), """
                {"title": "Plot", "context": ["thread"], "filter_action": "blur", "expires_in": null,
                 "keywords_attributes": [{"id": "%s", "keyword": "season finale"}, {"id": "%s", "_destroy": "1"},
                                         {"keyword": "twist", "whole_word": true}]}""".formatted(finale, ending)), "Filter");
        assertThat(changed.path("title").asString()).isEqualTo("Plot");
        assertThat(changed.path("context").get(0).asString()).isEqualTo("thread");
        assertThat(changed.path("filter_action").asString()).isEqualTo("blur");
        assertThat(changed.path("expires_at").isNull()).as("expires_in null: never").isTrue();
        assertThat(texts(changed.path("keywords"), "keyword")).containsExactly("season finale", "twist");
        assertThat(changed.path("keywords").get(0).path("whole_word").asBoolean()).as("kept").isFalse();

        // Only what is sent changes.
        JsonNode renamed = ok(f.put("/api/v2/filters/" + id, me.token(), "{\"title\": \"Plot twists\"}"), "Filter");
        assertThat(renamed.path("context")).isEqualTo(changed.path("context"));
        assertThat(renamed.path("keywords")).isEqualTo(changed.path("keywords"));

        Http.Response deleted = f.delete("/api/v2/filters/" + id, me.token());
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body()).isEqualTo("{}");
        error(f.http.get("/api/v2/filters/" + id, me.token()), 404, "Record not found");
        assertThat(f.http.get("/api/v2/filters", me.token()).json()).isEmpty();
    }

    @Test
    void formParametersWorkAsRailsReadsThem() {
        Person me = f.person("forms");
        Http.Response r = f.http.postForm("/api/v2/filters", me.token(), Http.fields("title", "Form", "context[]", "home",
                "keywords_attributes[0][keyword]", "word", "keywords_attributes[0][whole_word]", "false"));
        JsonNode made = ok(r, "Filter");
        assertThat(made.path("keywords").get(0).path("keyword").asString()).isEqualTo("word");
        assertThat(made.path("keywords").get(0).path("whole_word").asBoolean()).isFalse();
        assertThat(made.path("expires_at").isNull()).isTrue();
        assertThat(made.path("filter_action").asString()).as("the default action").isEqualTo("warn");
    }

    @Test
    void invalidFiltersAreRefusedWholeWithMastodonsMessages() {
        Person me = f.person("invalid");
        error(f.http.postJson("/api/v2/filters", me.token(), "{}"), 422,
                "Validation failed: Title can't be blank, Context can't be blank, Context None or invalid context supplied");
        error(f.http.postJson("/api/v2/filters", me.token(), "{\"title\": \"x\", \"context\": [\"home\", \"elsewhere\"]}"),
                422, "Validation failed: Context None or invalid context supplied");
        error(f.http.postJson("/api/v2/filters", me.token(),
                "{\"title\": \"x\", \"context\": [\"home\"], \"filter_action\": \"explode\"}"),
                422, "Validation failed: Filter action is not included in the list");
        error(f.http.postJson("/api/v2/filters", me.token(),
                "{\"title\": \"x\", \"context\": [\"home\"], \"keywords_attributes\": [{\"keyword\": \" \", \"whole_word\": true}]}"),
                422, "Validation failed: Keywords keyword can't be blank");
        error(f.http.postJson("/api/v2/filters", me.token(),
                "{\"title\": \"x\", \"context\": [\"home\"], \"keywords_attributes\": [{\"id\": \"1\", \"keyword\": \"a\"}]}"),
                404, "Record not found");
        error(f.http.postJson("/api/v2/filters", me.token(), "{\"title\": \"x\", \"context\": [\"home\"], \"expires_in\": \"soon\"}"),
                422, "Parameter expires_in must be a whole number");
        assertThat(f.http.get("/api/v2/filters", me.token()).json()).as("nothing half-written").isEmpty();

        String id = create(me, "{\"title\": \"ok\", \"context\": [\"home\"], \"keywords_attributes\": [{\"keyword\": \"a\"}]}")
                .path("id").asString();
        error(f.put("/api/v2/filters/" + id, me.token(),
                "{\"title\": \"\", \"keywords_attributes\": [{\"keyword\": \"b\"}]}"), 422, "Validation failed: Title can't be blank");
        error(f.put("/api/v2/filters/" + id, me.token(), "{\"context\": []}"), 422,
                "Validation failed: Context can't be blank, Context None or invalid context supplied");
        JsonNode unchanged = f.http.get("/api/v2/filters/" + id, me.token()).json();
        assertThat(unchanged.path("title").asString()).isEqualTo("ok");
        assertThat(texts(unchanged.path("keywords"), "keyword")).as("the added keyword was not kept").containsExactly("a");
    }

    @Test
    void keywordsHaveTheirOwnRoutes() {
        Person me = f.person("keywords");
        String id = create(me, "{\"title\": \"k\", \"context\": [\"home\"]}").path("id").asString();
        JsonNode added = ok(f.http.postJson("/api/v2/filters/" + id + "/keywords", me.token(), "{\"keyword\": \"Cat\"}"),
                "FilterKeyword");
        assertThat(added.path("whole_word").asBoolean()).isTrue();
        String kid = added.path("id").asString();
        assertThat(ok(f.http.get("/api/v2/filters/keywords/" + kid, me.token()), "FilterKeyword")).isEqualTo(added);
        JsonNode changed = ok(f.put("/api/v2/filters/keywords/" + kid, me.token(), "{\"whole_word\": false}"), "FilterKeyword");
        assertThat(changed.path("keyword").asString()).isEqualTo("Cat");
        assertThat(changed.path("whole_word").asBoolean()).isFalse();
        assertThat(texts(ok(f.http.get("/api/v2/filters/" + id + "/keywords", me.token()), "FilterKeyword"), "id"))
                .containsExactly(kid);
        error(f.http.postJson("/api/v2/filters/" + id + "/keywords", me.token(), "{\"keyword\": \"\"}"), 422,
                "Validation failed: Keyword can't be blank");
        error(f.put("/api/v2/filters/keywords/" + kid, me.token(), "{\"keyword\": \" \"}"), 422,
                "Validation failed: Keyword can't be blank");

        Person other = f.person("stranger");
        error(f.http.get("/api/v2/filters/keywords/" + kid, other.token()), 404, "Record not found");
        error(f.put("/api/v2/filters/keywords/" + kid, other.token(), "{\"keyword\": \"dog\"}"), 404, "Record not found");
        error(f.delete("/api/v2/filters/keywords/" + kid, other.token()), 404, "Record not found");
        error(f.http.postJson("/api/v2/filters/" + id + "/keywords", other.token(), "{\"keyword\": \"dog\"}"), 404,
                "Record not found");
        error(f.http.get("/api/v2/filters/" + id + "/keywords", other.token()), 404, "Record not found");

        assertThat(f.delete("/api/v2/filters/keywords/" + kid, me.token()).body()).isEqualTo("{}");
        error(f.http.get("/api/v2/filters/keywords/" + kid, me.token()), 404, "Record not found");
    }

    @Test
    void statusesCanBeFilteredOnlyWhenTheOwnerMaySeeThem() {
        Person me = f.person("statuses");
        Person author = f.person("author");
        String shown = f.post(author, "a post anyone sees");
        String hidden = f.post(author, Map.of("status", "for followers", "visibility", "private"));
        String id = create(me, "{\"title\": \"s\", \"context\": [\"home\"]}").path("id").asString();

        JsonNode rule = ok(f.http.postJson("/api/v2/filters/" + id + "/statuses", me.token(),
                "{\"status_id\": \"" + shown + "\"}"), "FilterStatus");
        assertThat(rule.path("status_id").asString()).isEqualTo(shown);
        String rid = rule.path("id").asString();
        assertThat(ok(f.http.get("/api/v2/filters/statuses/" + rid, me.token()), "FilterStatus")).isEqualTo(rule);
        assertThat(texts(ok(f.http.get("/api/v2/filters/" + id + "/statuses", me.token()), "FilterStatus"), "status_id"))
                .containsExactly(shown);
        assertThat(f.http.get("/api/v2/filters/" + id, me.token()).json().path("statuses").get(0).path("status_id").asString())
                .isEqualTo(shown);

        error(f.http.postJson("/api/v2/filters/" + id + "/statuses", me.token(), "{\"status_id\": \"" + shown + "\"}"), 422,
                "Validation failed: Status has already been taken");
        error(f.http.postJson("/api/v2/filters/" + id + "/statuses", me.token(), "{\"status_id\": \"" + hidden + "\"}"), 422,
                "Validation failed: Status must exist");
        error(f.http.postJson("/api/v2/filters/" + id + "/statuses", me.token(), "{\"status_id\": \"999\"}"), 422,
                "Validation failed: Status must exist");
        error(f.http.postJson("/api/v2/filters/" + id + "/statuses", me.token(), "{}"), 422,
                "Validation failed: Status must exist");

        Person other = f.person("stranger");
        error(f.http.get("/api/v2/filters/statuses/" + rid, other.token()), 404, "Record not found");
        error(f.delete("/api/v2/filters/statuses/" + rid, other.token()), 404, "Record not found");
        assertThat(f.delete("/api/v2/filters/statuses/" + rid, me.token()).body()).isEqualTo("{}");
        error(f.http.get("/api/v2/filters/statuses/" + rid, me.token()), 404, "Record not found");
    }

    @Test
    void filtersBelongToTheirOwnerAndNeedTheFiltersScopes() {
        Person me = f.person("private");
        String id = create(me, "{\"title\": \"mine\", \"context\": [\"home\"]}").path("id").asString();
        Person other = f.person("other");
        error(f.http.get("/api/v2/filters/" + id, other.token()), 404, "Record not found");
        error(f.put("/api/v2/filters/" + id, other.token(), "{\"title\": \"theirs\"}"), 404, "Record not found");
        error(f.delete("/api/v2/filters/" + id, other.token()), 404, "Record not found");
        assertThat(f.http.get("/api/v2/filters", other.token()).json()).isEmpty();
        error(f.http.get("/api/v2/filters/nonsense", me.token()), 404, "Record not found");

        error(f.http.get("/api/v2/filters"), 401, "The access token is invalid");
        error(f.http.get("/api/v2/filters", "not-a-token"), 401, "The access token is invalid");
        error(f.http.postJson("/api/v2/filters", null, "{}"), 401, "The access token is invalid");
        String readOnly = f.token(me, "read:filters");
        assertThat(f.http.get("/api/v2/filters/" + id, readOnly).status()).isEqualTo(200);
        error(f.http.postJson("/api/v2/filters", readOnly, "{\"title\": \"x\", \"context\": [\"home\"]}"), 403,
                "This action is outside the authorized scopes");
        error(f.delete("/api/v2/filters/" + id, readOnly), 403, "This action is outside the authorized scopes");
        String writeOnly = f.token(me, "write:filters");
        error(f.http.get("/api/v2/filters", writeOnly), 403, "This action is outside the authorized scopes");
        error(f.http.get("/api/v2/filters", f.token(me, "read:statuses")), 403, "This action is outside the authorized scopes");
        assertThat(f.http.get("/api/v2/filters", f.token(me, "read")).status()).isEqualTo(200);

        // A blocked account is still just another account: it sees none of the owner's filters.
        f.block(me, other);
        error(f.http.get("/api/v2/filters/" + id, other.token()), 404, "Record not found");
    }

    @Test
    void v1ShowsEachKeywordAsAFilter() {
        Person me = f.person("v1");
        JsonNode made = ok(f.http.postJson("/api/v1/filters", me.token(), """
                {"phrase": "Election", "context": ["home", "notifications"], "irreversible": true, "whole_word": false,
                 "expires_in": 600}"""), "V1Filter");
        String kid = made.path("id").asString();
        assertThat(made.path("phrase").asString()).isEqualTo("Election");
        assertThat(made.path("irreversible").asBoolean()).isTrue();
        assertThat(made.path("whole_word").asBoolean()).isFalse();
        assertThat(made.path("expires_at").isString()).isTrue();

        JsonNode v2 = f.http.get("/api/v2/filters", me.token()).json().get(0);
        assertThat(v2.path("title").asString()).isEqualTo("Election");
        assertThat(v2.path("filter_action").asString()).isEqualTo("hide");
        assertThat(v2.path("keywords").get(0).path("id").asString()).as("v1 ids are keyword ids").isEqualTo(kid);
        String filterId = v2.path("id").asString();

        assertThat(ok(f.http.get("/api/v1/filters/" + kid, me.token()), "V1Filter")).isEqualTo(made);
        JsonNode changed = ok(f.put("/api/v1/filters/" + kid, me.token(),
                "{\"phrase\": \"Elections\", \"context\": [\"public\"], \"irreversible\": false}"), "V1Filter");
        assertThat(changed.path("phrase").asString()).isEqualTo("Elections");
        assertThat(changed.path("context").get(0).asString()).isEqualTo("public");
        assertThat(changed.path("irreversible").asBoolean()).isFalse();
        assertThat(changed.path("whole_word").asBoolean()).as("kept").isFalse();

        // With a second keyword, v1 may still change a phrase, but not what the keywords share.
        String second = f.http.postJson("/api/v2/filters/" + filterId + "/keywords", me.token(), "{\"keyword\": \"vote\"}")
                .json().path("id").asString();
        assertThat(texts(ok(f.http.get("/api/v1/filters", me.token()), "V1Filter"), "phrase")).containsExactly("Elections", "vote");
        error(f.put("/api/v1/filters/" + second, me.token(), "{\"context\": [\"thread\"]}"), 422,
                FilterService.MULTIPLE_KEYWORDS);
        assertThat(ok(f.put("/api/v1/filters/" + second, me.token(), "{\"phrase\": \"ballot\", \"context\": [\"public\"]}"),
                "V1Filter").path("phrase").asString()).isEqualTo("ballot");

        error(f.http.postJson("/api/v1/filters", me.token(), "{\"phrase\": \"\", \"context\": [\"home\"]}"), 422,
                "Validation failed: Title can't be blank");
        error(f.http.postJson("/api/v1/filters", me.token(), "{\"phrase\": \"x\"}"), 422,
                "Validation failed: Context can't be blank, Context None or invalid context supplied");

        // Deleting from v1 removes the keyword only; the filter stays.
        assertThat(f.delete("/api/v1/filters/" + second, me.token()).body()).isEqualTo("{}");
        error(f.http.get("/api/v1/filters/" + second, me.token()), 404, "Record not found");
        assertThat(texts(f.http.get("/api/v2/filters/" + filterId, me.token()).json().path("keywords"), "keyword"))
                .containsExactly("Elections");
        error(f.http.get("/api/v1/filters/" + kid, f.person("stranger").token()), 404, "Record not found");
    }

    @Test
    void deprecatedRoutesSayWhenTheyWereDeprecated() {
        Person me = f.person("deprecated");
        String since = "@1668384000"; // 2022-11-14, midnight UTC
        assertThat(f.http.get("/api/v1/filters", me.token()).header("Deprecation")).isEqualTo(since);
        assertThat(f.http.get("/api/v1/filters").header("Deprecation")).as("refusals too").isEqualTo(since);
        assertThat(f.http.get("/api/v1/filters/1", me.token()).header("Deprecation")).isEqualTo(since);
        assertThat(f.http.get("/api/v1/instance").header("Deprecation")).isEqualTo(since);
        assertThat(f.http.get("/api/v2/instance").header("Deprecation")).isNull();
        assertThat(f.http.get("/api/v2/filters", me.token()).header("Deprecation")).isNull();
    }
}
