package social.caravan.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Params: Rails' bracket names turned into nested values (unit), and the typed getters on a small
 * server built by {@link HttpServer}, reading the same values from a query string, a JSON body, a
 * urlencoded form and a multipart form.
 */
class ParamsTest {

    static JsonNode parse(String... pairs) {
        ObjectNode root = Json.object();
        for (int i = 0; i < pairs.length; i += 2) {
            Params.put(root, pairs[i], pairs[i + 1]);
        }
        return root;
    }

    // ---------------------------------------------------------------------------------------------
    // Bracket names

    @Test
    void plainNames() {
        assertThat(parse("a", "1", "b", "2").toString()).isEqualTo("{\"a\":\"1\",\"b\":\"2\"}");
        // A repeated plain name keeps the last value, as Rails does.
        assertThat(parse("a", "1", "a", "2").toString()).isEqualTo("{\"a\":\"2\"}");
    }

    @Test
    void nestedObjects() {
        assertThat(parse("a[b][c]", "v").toString()).isEqualTo("{\"a\":{\"b\":{\"c\":\"v\"}}}");
        assertThat(parse("source[privacy]", "private", "source[sensitive]", "true").toString())
                .isEqualTo("{\"source\":{\"privacy\":\"private\",\"sensitive\":\"true\"}}");
    }

    @Test
    void repeatedArrayNames() {
        assertThat(parse("id[]", "1", "id[]", "2", "id[]", "3").toString()).isEqualTo("{\"id\":[\"1\",\"2\",\"3\"]}");
        assertThat(parse("a[b][]", "x", "a[b][]", "y").toString()).isEqualTo("{\"a\":{\"b\":[\"x\",\"y\"]}}");
    }

    @Test
    void indexedObjects() {
        JsonNode tree = parse(
                "fields_attributes[0][name]", "Site", "fields_attributes[0][value]", "https://example.com",
                "fields_attributes[1][name]", "Pronouns", "fields_attributes[1][value]", "they/them");
        assertThat(tree.path("fields_attributes").path("0").path("name").asString()).isEqualTo("Site");
        assertThat(tree.path("fields_attributes").path("0").path("value").asString()).isEqualTo("https://example.com");
        assertThat(tree.path("fields_attributes").path("1").path("name").asString()).isEqualTo("Pronouns");
        assertThat(tree.path("fields_attributes").path("1").path("value").asString()).isEqualTo("they/them");
    }

    @Test
    void arraysOfObjectsGroupKeysAsRailsDoes() {
        // Rack adds a key to the last hash of the array until that key repeats, which starts a new hash.
        JsonNode tree = parse(
                "fields_attributes[][name]", "Site", "fields_attributes[][value]", "https://example.com",
                "fields_attributes[][name]", "Pronouns", "fields_attributes[][value]", "they/them");
        assertThat(tree.path("fields_attributes").toString()).isEqualTo(
                "[{\"name\":\"Site\",\"value\":\"https://example.com\"},{\"name\":\"Pronouns\",\"value\":\"they/them\"}]");
        assertThat(parse("a[][b][c]", "1", "a[][b][d]", "2", "a[][b][c]", "3").path("a").toString())
                .isEqualTo("[{\"b\":{\"c\":\"1\",\"d\":\"2\"}},{\"b\":{\"c\":\"3\"}}]");
        assertThat(parse("a[][]", "1", "a[][]", "2").path("a").toString()).isEqualTo("[[\"1\"],[\"2\"]]");
    }

    @Test
    void oddNamesDoNotFail() {
        for (String name : List.of("a[", "a]", "[a]", "a[b", "a[]b", "[]", "a[][]", "a[b]]", "")) {
            ObjectNode root = Json.object();
            Params.put(root, name, "v");
            assertThat(root.size()).as(name).isLessThanOrEqualTo(1);
        }
        // A name used both as a value and as a container ends as the one given last.
        assertThat(parse("a", "1", "a[b]", "2").toString()).isEqualTo("{\"a\":{\"b\":\"2\"}}");
        assertThat(parse("a[b]", "1", "a[]", "2").toString()).isEqualTo("{\"a\":[\"2\"]}");
    }

    // ---------------------------------------------------------------------------------------------
    // Typed getters over HTTP

    @Nested
    class OverHttp {
        static Javalin app;
        static Http http;

        @BeforeAll
        static void start() {
            app = HttpServer.create(List.of(routes -> {
                routes.get("/api/v1/probe", ParamsTest::echo);
                routes.post("/api/v1/probe", ParamsTest::echo);
                routes.get("/api/v1/probe/page", ctx -> ctx.json(Map.of("limit", Page.of(ctx, 20, 40).limit())));
            }), rateLimits(), new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).start("127.0.0.1", 0);
            http = new Http("http://127.0.0.1:" + app.port());
        }

        @AfterAll
        static void stop() {
            app.stop();
        }

        static Http.Response postMultipart(String path, List<String[]> parts) {
            String boundary = "----params-test";
            StringBuilder body = new StringBuilder();
            for (String[] part : parts) {
                body.append("--").append(boundary).append("\r\n")
                        .append("Content-Disposition: form-data; name=\"").append(part[0]).append("\"\r\n\r\n")
                        .append(part[1]).append("\r\n");
            }
            body.append("--").append(boundary).append("--\r\n");
            return http.send(http.request(path)
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
        }

        static final String EXPECTED = """
                {"ids":["1","2"],"fields":["Site=https://example.com","Mood=fine"],"privacy":"private","locked":false}""";

        @Test
        void sameValuesFromEveryEncoding() {
            Http.Response query = http.get("/api/v1/probe?id[]=1&id[]=2&fields_attributes[0][name]=Site"
                    + "&fields_attributes[0][value]=https://example.com&fields_attributes[1][name]=Mood"
                    + "&fields_attributes[1][value]=fine&source[privacy]=private&locked=0");
            assertThat(query.body()).isEqualTo(EXPECTED);

            Http.Response json = http.postJson("/api/v1/probe", null, """
                    {"id":["1","2"],"fields_attributes":[{"name":"Site","value":"https://example.com"},
                     {"name":"Mood","value":"fine"}],"source":{"privacy":"private"},"locked":false}""");
            assertThat(json.body()).isEqualTo(EXPECTED);

            // Rails also accepts fields_attributes as a hash keyed by index in JSON.
            Http.Response jsonHash = http.postJson("/api/v1/probe", null, """
                    {"id":["1","2"],"fields_attributes":{"0":{"name":"Site","value":"https://example.com"},
                     "1":{"name":"Mood","value":"fine"}},"source":{"privacy":"private"},"locked":"false"}""");
            assertThat(jsonHash.body()).isEqualTo(EXPECTED);

            Map<String, String> form = new LinkedHashMap<>();
            form.put("fields_attributes[0][name]", "Site");
            form.put("fields_attributes[0][value]", "https://example.com");
            form.put("fields_attributes[1][name]", "Mood");
            form.put("fields_attributes[1][value]", "fine");
            form.put("source[privacy]", "private");
            form.put("locked", "off");
            Http.Response urlencoded = http.send(http.request("/api/v1/probe")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("id%5B%5D=1&id%5B%5D=2&" + Http.form(form))).build());
            assertThat(urlencoded.body()).isEqualTo(EXPECTED);

            Http.Response multipart = postMultipart("/api/v1/probe", List.of(
                    new String[] {"id[]", "1"}, new String[] {"id[]", "2"},
                    new String[] {"fields_attributes[0][name]", "Site"},
                    new String[] {"fields_attributes[0][value]", "https://example.com"},
                    new String[] {"fields_attributes[1][name]", "Mood"},
                    new String[] {"fields_attributes[1][value]", "fine"},
                    new String[] {"source[privacy]", "private"}, new String[] {"locked", "f"}));
            assertThat(multipart.body()).isEqualTo(EXPECTED);
        }

        @Test
        void queryAndFormTogether() {
            Http.Response r = http.send(http.request("/api/v1/probe?id[]=1")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("id%5B%5D=2&locked=true")).build());
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().path("ids").toString()).isEqualTo("[\"1\",\"2\"]");
            assertThat(r.json().path("locked").asBoolean()).isTrue();
        }

        @Test
        void booleansAsRailsReadsThem() {
            for (String falsy : List.of("false", "0", "f", "off", "FALSE")) {
                assertThat(http.get("/api/v1/probe?locked=" + falsy).json().path("locked").isBoolean()).isTrue();
                assertThat(http.get("/api/v1/probe?locked=" + falsy).json().path("locked").asBoolean()).as(falsy).isFalse();
            }
            for (String truthy : List.of("true", "1", "t", "on", "yes")) {
                assertThat(http.get("/api/v1/probe?locked=" + truthy).json().path("locked").asBoolean()).as(truthy).isTrue();
            }
            assertThat(http.get("/api/v1/probe?locked=").json().path("locked").isNull()).isTrue();
        }

        @Test
        void limitMustBeANumber() {
            Http.Response bad = http.get("/api/v1/probe/page?limit=abc");
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.header("Content-Type")).startsWith("application/json");
            assertThat(bad.json().path("error").asString()).contains("limit");
            assertThat(http.get("/api/v1/probe/page?limit=1.5").status()).isEqualTo(422);
            assertThat(http.get("/api/v1/probe/page?limit=").json().path("limit").asInt()).isEqualTo(20);
            assertThat(http.get("/api/v1/probe/page?limit=1000").json().path("limit").asInt()).isEqualTo(40);
            assertThat(http.get("/api/v1/probe/page?limit=0").json().path("limit").asInt()).isEqualTo(1);
            assertThat(http.get("/api/v1/probe/page?limit=%20%207%20").json().path("limit").asInt()).isEqualTo(7);
        }

        @Test
        void wrongShapesAreUnprocessable() {
            for (String body : List.of("{\"id\":[{\"a\":1}]}", "{\"fields_attributes\":\"x\"}",
                    "{\"fields_attributes\":[1]}", "{\"source\":[]}", "{\"source\":{\"privacy\":{}}}", "{\"locked\":{}}")) {
                Http.Response r = http.postJson("/api/v1/probe", null, body);
                assertThat(r.status()).as("%s -> %s", body, r).isEqualTo(422);
                assertThat(r.json().path("error").asString()).isNotBlank();
            }
        }
    }

    /** Echoes what the getters read, so a test can compare encodings. */
    static void echo(io.javalin.http.Context ctx) {
        Params p = Params.of(ctx);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ids", p.list("id"));
        out.put("fields", p.objects("fields_attributes").stream()
                .map(f -> f.string("name").orElse("") + "=" + f.string("value").orElse("")).toList());
        out.put("privacy", p.object("source").flatMap(s -> s.string("privacy")).orElse(null));
        out.put("locked", p.bool("locked").orElse(null));
        ctx.json(out);
    }

    static RateLimits rateLimits() {
        return new RateLimits(new social.caravan.core.config.Config.RateLimits(300, 300, 5, 1800),
                new ClientAddresses(List.of()), new Authn(token -> java.util.Optional.empty()),
                new RateLimiter(java.time.Clock.systemUTC()));
    }
}
