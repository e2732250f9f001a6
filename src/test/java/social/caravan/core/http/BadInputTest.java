package social.caravan.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;

/**
 * What clients get when they send something wrong: Mastodon's JSON error bodies with the right
 * status, never HTML and never a stack trace on an API path; plus the CORS headers browser apps
 * need, on successes, errors and preflights alike.
 */
class BadInputTest {
    static TestServer server;
    static String token;
    static final int MIB = 1024 * 1024;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        server.createAccount("alice");
        token = server.token("alice", "read write");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Asserts a JSON error body with {@code status}, no HTML and no trace of a stack; returns it. */
    static Http.Response assertJsonError(Http.Response r, int status) {
        assertClean(r);
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).as("Content-Type of %s", r).startsWith("application/json");
        MastodonSchemas.assertValid("Error", r.body());
        assertThat(r.json().path("error").asString()).isNotBlank();
        return r;
    }

    static void assertClean(Http.Response r) {
        assertThat(r.body()).as("no stack trace").doesNotContain("Exception").doesNotContain("at social.caravan")
                .doesNotContain("\tat ").doesNotContainIgnoringCase("<html");
    }

    static Http.Response patch(String contentType, HttpRequest.BodyPublisher body) {
        return patch(contentType, body, false);
    }

    /**
     * {@code expectContinue} sends the headers first and the body only after "100 Continue", as
     * curl does for large uploads: a server that refuses by Content-Length answers before the body
     * is sent, so the client reliably reads the refusal instead of a reset connection.
     */
    static Http.Response patch(String contentType, HttpRequest.BodyPublisher body, boolean expectContinue) {
        return server.http.send(server.http.request("/api/v1/accounts/update_credentials")
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", contentType)
                .expectContinue(expectContinue)
                .method("PATCH", body).build());
    }

    static Http.Response patchJson(String json) {
        return server.http.patchJson("/api/v1/accounts/update_credentials", token, json);
    }

    static HttpRequest.BodyPublisher chunked(byte[] bytes) {
        return HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
    }

    static byte[] bigJson() {
        byte[] filler = new byte[MIB + 10];
        Arrays.fill(filler, (byte) 'x');
        return ("{\"note\":\"" + new String(filler, StandardCharsets.US_ASCII) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------
    // Bodies that cannot be read

    @Test
    void malformedJsonIsABadRequest() {
        assertJsonError(patchJson("{\"display_name\": "), 400);
        assertJsonError(patchJson("{display_name: 'single quotes'}"), 400);
        assertJsonError(patchJson("{\"a\":1} trailing"), 400);
        assertJsonError(server.http.postJson("/api/v1/apps", null, "{\"client_name\":"), 400);
        assertJsonError(server.http.postJson("/api/v1/markers", token, "not json at all"), 400);
        // Invalid UTF-8 inside a JSON string.
        assertJsonError(patch("application/json", HttpRequest.BodyPublishers.ofByteArray(
                new byte[] {'{', '"', 'n', 'o', 't', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'})), 400);
    }

    /**
     * A request written by hand on a socket, for what java.net.http refuses to send (malformed
     * targets, oversized or broken headers). {@code HOST} in the text is replaced by the server's
     * address. Returns the status, the Content-Type and the body.
     */
    static String[] raw(String request) throws java.io.IOException {
        java.net.URI base = java.net.URI.create(server.baseUrl);
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.replace("HOST", base.getAuthority()).getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int headersEnd = response.indexOf("\r\n\r\n");
            String head = response.substring(0, headersEnd);
            String status = head.substring(9, 12);
            String contentType = head.lines().filter(l -> l.regionMatches(true, 0, "Content-Type:", 0, 13))
                    .map(l -> l.substring(13).trim()).findFirst().orElse("");
            return new String[] {status, contentType, response.substring(headersEnd + 4)};
        }
    }

    static String[] rawGet(String target, String accept) throws java.io.IOException {
        return raw("GET " + target + " HTTP/1.1\r\nHost: HOST\r\nAccept: " + accept + "\r\nConnection: close\r\n\r\n");
    }

    static void assertRawJsonError(String[] r, String status, String what) {
        assertThat(r[0]).as("%s: %s", what, r[2]).isEqualTo(status);
        assertThat(r[1]).as(what).startsWith("application/json");
        assertThat(r[2]).as(what).doesNotContain("Exception").doesNotContainIgnoringCase("<html");
        assertThat(social.caravan.core.json.Json.read(r[2]).path("error").asString()).as(what).isNotBlank();
    }

    @Test
    void badPercentEncodingIsABadRequest() throws Exception {
        for (String target : List.of("/api/v1/accounts/lookup?acct=%zz", "/api/v1/accounts/lookup?acct=alice%",
                "/api/v1/accounts/lookup?acct%=alice")) {
            for (String accept : List.of("application/json", "text/html")) {
                assertRawJsonError(rawGet(target, accept), "400", target + " with Accept " + accept);
            }
        }
        assertJsonError(patch("application/x-www-form-urlencoded", HttpRequest.BodyPublishers.ofString("note=%E0%A4%A")), 400);
    }

    @Test
    void requestsRefusedBeforeRoutingAreJsonToo() throws Exception {
        // Jetty answers these itself; they must not come back as its HTML error page.
        assertRawJsonError(rawGet("/api/v1/accounts/lookup?acct=" + "a".repeat(20_000), "text/html"), "414", "URI too long");
        assertRawJsonError(raw("GET /api/v1/instance HTTP/1.1\r\nHost: HOST\r\nAuthorization: Bearer " + "a".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n"), "431", "headers too large");
        assertRawJsonError(raw("POST /api/v1/apps HTTP/1.1\r\nHost: HOST\r\nContent-Length: abc\r\nConnection: close\r\n\r\n"),
                "400", "bad Content-Length");
        assertRawJsonError(rawGet("/api/v1/accounts/%00", "text/html"), "400", "NUL in the path");
    }

    @Test
    void deeplyNestedJsonIsABadRequest() {
        String deep = "{\"note\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertJsonError(patchJson(deep), 400);
    }

    @Test
    void nonObjectJsonBodiesAreBadRequests() {
        for (String body : List.of("[]", "[{\"display_name\":\"x\"}]", "\"text\"", "42", "true", "null")) {
            Http.Response r = patchJson(body);
            assertThat(r.status()).as("%s -> %s", body, r).isEqualTo(400);
            assertJsonError(r, 400);
        }
    }

    @Test
    void bodiesOverOneMebibyteAreTooLarge() {
        byte[] big = bigJson();
        byte[] bigForm = ("note=" + "x".repeat(MIB + 10)).getBytes(StandardCharsets.US_ASCII);
        // With a Content-Length: refused before the body is read, even without a token.
        assertJsonError(patch("application/json", HttpRequest.BodyPublishers.ofByteArray(big), true), 413);
        assertJsonError(patch("application/x-www-form-urlencoded", HttpRequest.BodyPublishers.ofByteArray(bigForm), true), 413);
        assertJsonError(server.http.send(server.http.request("/api/v1/apps")
                .header("Content-Type", "application/json")
                .expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build()), 413);
        // Streamed (chunked, no Content-Length): refused once more than 1 MiB has arrived, for JSON
        // (read by Params) and for a form (parsed by the server), with or without Expect: 100-continue.
        for (boolean expectContinue : List.of(false, true)) {
            assertJsonError(patch("application/json", chunked(big), expectContinue), 413);
            assertJsonError(patch("application/x-www-form-urlencoded", chunked(bigForm), expectContinue), 413);
        }
        // The profile was not touched, and the server still answers.
        Http.Response me = server.http.get("/api/v1/accounts/verify_credentials", token);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().path("source").path("note").asString()).doesNotContain("xxxx");
    }

    @Test
    void bodiesUnderOneMebibyteAreRead() {
        // 600 KiB is within the limit: the request is read and refused on its merits (the note is too long).
        String note = "y".repeat(600 * 1024);
        assertJsonError(patchJson("{\"note\":\"" + note + "\"}"), 422);
        assertJsonError(patch("application/json", chunked(("{\"note\":\"" + note + "\"}").getBytes(StandardCharsets.UTF_8))), 422);
        assertJsonError(patch("application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofString("note=" + note)), 422);
        assertJsonError(patch("application/x-www-form-urlencoded",
                chunked(("note=" + note).getBytes(StandardCharsets.US_ASCII))), 422);
    }

    // ---------------------------------------------------------------------------------------------
    // Parameters of the wrong type

    @Test
    void wrongParameterTypesAreUnprocessable() {
        assertJsonError(patchJson("{\"locked\":{\"yes\":true}}"), 422);
        assertJsonError(patchJson("{\"locked\":[true]}"), 422);
        assertJsonError(patchJson("{\"display_name\":{\"text\":\"x\"}}"), 422);
        assertJsonError(patchJson("{\"fields_attributes\":\"Site=https://example.com\"}"), 422);
        assertJsonError(patchJson("{\"fields_attributes\":[\"just a string\"]}"), 422);
        assertJsonError(patchJson("{\"source\":\"public\"}"), 422);
        assertJsonError(patchJson("{\"source\":{\"privacy\":[\"public\"]}}"), 422);
        assertJsonError(server.http.postJson("/api/v1/markers", token, "{\"home\":\"123\"}"), 422);
        assertJsonError(server.http.postJson("/api/v1/markers", token, "{\"home\":{\"last_read_id\":{}}}"), 422);
        assertJsonError(server.http.get("/api/v1/accounts/relationships?id[0][x]=1", token), 422);
        // The same mistakes in Rails' bracket form.
        assertJsonError(patch("application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofString("locked[x]=1")), 422);
        assertJsonError(patch("application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofString("source=public")), 422);
        assertJsonError(patch("application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofString("fields_attributes[0]=oops")), 422);
        // Nothing was changed by any of them.
        Http.Response me = server.http.get("/api/v1/accounts/verify_credentials", token);
        assertThat(me.json().path("locked").asBoolean()).isFalse();
        assertThat(me.json().path("fields").size()).isZero();
    }

    @Test
    void nulCharactersAreRefusedNotCrashed() {
        // PostgreSQL cannot store U+0000 in text; these must be client errors, not 500s.
        for (Http.Response r : List.of(
                server.http.get("/api/v1/accounts/lookup?acct=al%00ice"),
                server.http.get("/.well-known/webfinger?resource=" + URLEncoder.encode("acct:al\u0000ice@"
                        + server.baseUrl.substring(7), StandardCharsets.UTF_8)),
                patchJson("{\"display_name\":\"nul\\u0000byte\"}"),
                server.http.postJson("/api/v1/apps", null, "{\"client_name\":\"nul\\u0000app\"}"))) {
            assertClean(r);
            assertThat(r.status()).as(r.toString()).isBetween(400, 499);
            assertThat(r.header("Content-Type")).startsWith("application/json");
        }
        Http.Response signUp = server.http.postJson("/api/v1/accounts",
                appToken(), "{\"username\":\"nulluser\",\"email\":\"nul\\u0000@example.com\","
                        + "\"password\":\"correct horse battery\",\"agreement\":true}");
        assertClean(signUp);
        assertThat(signUp.status()).as(signUp.toString()).isBetween(400, 499);
        assertThat(server.http.get("/api/v1/accounts/verify_credentials", token).json().path("display_name").asString())
                .doesNotContain("nul");
    }

    private static String appToken() {
        Http.Response app = server.http.postJson("/api/v1/apps", null,
                "{\"client_name\":\"nul test\",\"redirect_uris\":\"urn:ietf:wg:oauth:2.0:oob\",\"scopes\":\"write\"}");
        Http.Response t = server.http.postForm("/oauth/token", null, Http.fields("grant_type", "client_credentials",
                "client_id", app.json().path("client_id").asString(),
                "client_secret", app.json().path("client_secret").asString(), "scope", "write"));
        return t.json().path("access_token").asString();
    }

    // ---------------------------------------------------------------------------------------------
    // Unknown paths and methods

    @Test
    void unknownApiPathsAreJsonNotFound() {
        for (String path : List.of("/api/v1/nonexistent", "/api/v2/accounts", "/api/v1/accounts/1/nothing",
                "/api/v9/instance", "/api/")) {
            assertJsonError(server.http.get(path), 404);
            Http.Response browser = server.http.send(server.http.request(path)
                    .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8").GET().build());
            assertJsonError(browser, 404);
            assertThat(browser.header("Access-Control-Allow-Origin")).isEqualTo("*");
        }
        assertJsonError(server.http.get("/api/v1/nonexistent", token), 404);
    }

    @Test
    void wrongMethodsOnApiPathsAreJson() {
        List<HttpRequest> requests = List.of(
                server.http.request("/api/v1/accounts/verify_credentials").DELETE().build(),
                server.http.request("/api/v1/accounts/verify_credentials")
                        .header("Accept", "text/html").POST(HttpRequest.BodyPublishers.noBody()).build(),
                server.http.request("/api/v1/markers").PUT(HttpRequest.BodyPublishers.ofString("{}")).build(),
                server.http.request("/api/v1/instance").DELETE().header("Authorization", "Bearer " + token).build());
        for (HttpRequest request : requests) {
            Http.Response r = server.http.send(request);
            assertClean(r);
            assertThat(r.status()).as("%s %s -> %s", request.method(), request.uri(), r).isIn(404, 405);
            assertJsonError(r, r.status());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // CORS

    @Test
    void corsPreflightIsAnswered() {
        Http.Response r = server.http.send(server.http.request("/api/v1/accounts/verify_credentials")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://elk.example")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization,content-type,idempotency-key")
                .build());
        assertClean(r);
        assertThat(r.status()).as(r.toString()).isEqualTo(204);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(r.header("Access-Control-Allow-Methods")).contains("GET", "POST", "PUT", "PATCH", "DELETE");
        assertThat(r.header("Access-Control-Allow-Headers")).isEqualTo("authorization,content-type,idempotency-key");
        assertThat(r.body()).isEmpty();
        // A preflight is not an API request: it carries no token and does not need one.
        Http.Response unknownPath = server.http.send(server.http.request("/api/v1/statuses/123/favourite")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://elk.example")
                .header("Access-Control-Request-Method", "POST")
                .build());
        assertThat(unknownPath.status()).isEqualTo(204);
        assertThat(unknownPath.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(unknownPath.header("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");
    }

    @Test
    void apiResponsesAllowEveryOrigin() {
        List<Http.Response> responses = List.of(
                server.http.get("/api/v1/instance"),
                server.http.get("/api/v1/accounts/verify_credentials", token),
                server.http.get("/api/v1/accounts/verify_credentials"),
                server.http.get("/api/v1/accounts/999999"),
                patchJson("[]"),
                server.http.get("/.well-known/nodeinfo"));
        for (Http.Response r : responses) {
            assertClean(r);
            assertThat(r.header("Access-Control-Allow-Origin")).as(r.toString()).isEqualTo("*");
        }
        assertThat(responses.get(0).header("Access-Control-Expose-Headers")).contains("Link");
        assertThat(responses.get(2).status()).isEqualTo(401);
    }
}
