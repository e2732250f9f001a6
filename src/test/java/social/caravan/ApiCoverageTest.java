package social.caravan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.core.json.Json;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * Which of Mastodon's client API operations Caravan answers, written to {@code docs/api-coverage.md}.
 *
 * <p>Every method and path of {@code shared/mastodon-api/openapi.json} is asked of a running server,
 * placeholders filled with real ids where that is easy. An operation is answered when the route
 * Javalin picks for the request has the operation's own path template (placeholder names aside): a
 * 404 "Record not found" comes from a route, and {@code /api/v1/accounts/search} taken by
 * {@code /api/v1/accounts/{id}} is no search route. The test fails when the committed file differs
 * from what it finds; run it with {@code -Dcaravan.writeCoverage=true} to rewrite the file.
 */
class ApiCoverageTest {
    private static final String WRITE_PROPERTY = "caravan.writeCoverage";
    private static final Path DOC = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "docs",
            "api-coverage.md");
    private static final List<String> METHODS = List.of("get", "post", "put", "patch", "delete");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]+)}");
    private static final Pattern VERSION = Pattern.compile("v\\d+(_\\w+)?");

    static TestServer server;
    static HttpClient client;
    static String token;
    static long otherAccount;
    static String statusId;

    @BeforeAll
    static void start() {
        // A few hundred requests from one address: well within limits raised for the walk. The streaming
        // role shares the web server, as in `caravan serve`, so its routes count.
        server = TestServer.start(Map.of("CARAVAN_RATE_LIMIT_API", "100000", "CARAVAN_RATE_LIMIT_SIGNUPS", "100000"),
                java.util.EnumSet.of(social.caravan.App.ProcessRole.WEB, social.caravan.App.ProcessRole.STREAMING));
        client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5))
                .build();
        server.createAccount("owner");
        otherAccount = server.createAccount("other");
        token = server.token("owner", "read write follow push profile");
        var posted = server.http.postJson("/api/v1/statuses", token, "{\"status\":\"for the coverage walk\"}");
        assertThat(posted.status()).as(posted.toString()).isEqualTo(200);
        statusId = posted.json().path("id").asString();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Operation(String group, String method, String path, boolean answered) {}

    @Test
    void theClassifierTellsAMissingRouteFromAMissingRecord() {
        assertThat(answered("get", "/api/v1/no_such_thing")).isFalse();
        assertThat(answered("delete", "/api/v1/instance")).as("a path answered for GET only").isFalse();
        assertThat(answered("get", "/api/v1/statuses/{id}")).isTrue();
        assertThat(ask("get", "/api/v1/statuses/1")).as("a route whose record is missing").isEqualTo(404);
        assertThat(answered("get", "/api/v1/statuses/{id}/no_such_thing")).isFalse();
        assertThat(server.app.routeFor("get", "/api/v1/accounts/no_such_thing")).as("taken for an account id")
                .contains("/api/v1/accounts/{id}");
        assertThat(answered("get", "/api/v1/accounts/no_such_thing")).isFalse();
        assertThat(answered("post", "/api/v1/follow_requests/{account_id}/authorize")).as("other placeholder names").isTrue();
    }

    @Test
    void docsApiCoverageIsWhatCaravanAnswers() throws IOException {
        JsonNode paths = Json.read(Files.readString(MastodonSchemas.openApiPath())).path("paths");
        List<Operation> operations = new ArrayList<>();
        for (String path : paths.propertyNames()) {
            for (String method : METHODS) {
                if (paths.path(path).has(method)) {
                    operations.add(new Operation(group(path), method.toUpperCase(), path, answered(method, path)));
                }
            }
        }
        assertThat(operations).as("operations in openapi.json").isNotEmpty();
        String generated = render(operations);
        if (Boolean.getBoolean(WRITE_PROPERTY)) {
            Files.writeString(DOC, generated);
            return;
        }
        String committed = Files.exists(DOC) ? Files.readString(DOC) : "";
        assertThat(committed)
                .as("docs/api-coverage.md is not what Caravan answers now. Rewrite it with "
                        + "mvn test -Dtest=ApiCoverageTest -D" + WRITE_PROPERTY + "=true and commit it")
                .isEqualTo(generated);
    }

    /** A path's group: its first segment after /api/ and the version (statuses, filters, ...), else its first segment. */
    static String group(String path) {
        List<String> segments = new ArrayList<>(List.of(path.substring(1).split("/")));
        if (segments.get(0).equals("api")) {
            segments.remove(0);
            if (VERSION.matcher(segments.get(0)).matches()) {
                segments.remove(0);
            }
        }
        return segments.get(0);
    }

    /** Real ids where easy (an account, a status, a tag), else a dummy the route will not find. */
    static String fill(String path) {
        Matcher m = PLACEHOLDER.matcher(path);
        StringBuilder filled = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "id" -> switch (group(path)) {
                    case "accounts" -> Long.toString(otherAccount);
                    case "statuses" -> statusId;
                    case "tags" -> "caravan";
                    default -> "1";
                };
                case "account_id" -> Long.toString(otherAccount);
                case "name", "hashtag" -> "caravan";
                case "year" -> "2025";
                case "date" -> "2025-01-01";
                case "group_key" -> "ungrouped-1";
                default -> "1";
            };
            m.appendReplacement(filled, Matcher.quoteReplacement(value));
        }
        m.appendTail(filled);
        return filled.toString();
    }

    /**
     * Asks the server, and whether the route Javalin picks for the request is the operation's own.
     * Where no route matches, the server must answer 404: the route table and the server agree.
     */
    static boolean answered(String method, String template) {
        String path = fill(template);
        int status = ask(method, path);
        var route = server.app.routeFor(method, path);
        if (route.isEmpty()) {
            assertThat(status).as("%s %s has no route", method, path).isIn(404, 405);
            return false;
        }
        return normalized(route.get()).equals(normalized(template));
    }

    /** Placeholder names differ ({account_id} in the API, {id} in a route); their places must not. */
    private static String normalized(String template) {
        return PLACEHOLDER.matcher(template).replaceAll("{}");
    }

    /** The status of one request; the body is never read, so an endpoint that streams cannot hold the walk up. */
    static int ask(String method, String path) {
        HttpRequest.BodyPublisher body = method.equals("get") || method.equals("delete")
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}");
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .method(method.toUpperCase(), body)
                .build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            response.body().close();
            return response.statusCode();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String render(List<Operation> operations) {
        Map<String, List<Operation>> groups = new TreeMap<>();
        operations.stream()
                .sorted(Comparator.comparing(Operation::path).thenComparing(o -> METHODS.indexOf(o.method().toLowerCase())))
                .forEach(o -> groups.computeIfAbsent(o.group(), g -> new ArrayList<>()).add(o));
        long answered = operations.stream().filter(Operation::answered).count();
        StringBuilder md = new StringBuilder();
        md.append("# Mastodon API coverage\n\n")
                .append("Which operations of Mastodon's client API (`shared/mastodon-api/openapi.json`) Caravan answers: ")
                .append("\"yes\" when Caravan has a route for the method and path, whatever it answers to the test's ")
                .append("placeholder ids.\n\n")
                .append("Generated by `ApiCoverageTest`, which fails when this file is out of date; do not edit it by hand. ")
                .append("Rewrite it with `mvn test -Dtest=ApiCoverageTest -D").append(WRITE_PROPERTY).append("=true`.\n\n")
                .append("**").append(answered).append(" of ").append(operations.size()).append("** operations answered.\n\n")
                .append("| Group | Answered |\n|---|---|\n");
        groups.forEach((group, ops) -> md.append("| [").append(group).append("](#").append(anchor(group)).append(") | ")
                .append(ops.stream().filter(Operation::answered).count()).append(" of ").append(ops.size()).append(" |\n"));
        groups.forEach((group, ops) -> {
            md.append("\n## ").append(group).append("\n\n| Method | Path | Answered |\n|---|---|---|\n");
            ops.forEach(o -> md.append("| ").append(o.method()).append(" | `").append(o.path()).append("` | ")
                    .append(o.answered() ? "yes" : "no").append(" |\n"));
        });
        return md.toString();
    }

    /** GitHub's heading anchors: lower case, punctuation other than - and _ dropped. */
    private static String anchor(String heading) {
        return heading.toLowerCase().replaceAll("[^a-z0-9_ -]", "").replace(' ', '-');
    }
}
