package social.caravan.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/**
 * The instance extras: texts operators set with `caravan instance` (extended description, privacy
 * policy, terms of service), translation languages, weekly activity and domain blocks.
 */
class InstanceTextsApiTest {
    static TestServer server;
    static Http http;

    @TempDir
    static Path files;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Run(int exit, String out, String err) {}

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new InstanceCommand(chore -> chore.applyAsInt(server.app.instance())));
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    static String file(String name, String text) {
        try {
            return Files.writeString(files.resolve(name), text).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String domain() {
        return server.baseUrl.substring("http://".length());
    }

    @Test
    void extendedDescriptionIsEmptyUntilSetThenRenderedMarkdown() {
        Http.Response none = http.get("/api/v1/instance/extended_description");
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().path("content").asString()).isEmpty();
        assertThat(none.json().path("updated_at").isNull()).as("Mastodon's answer when there is none").isTrue();

        Run set = cli("set", "--extended-description", file("about.md", "## Funding\n\nWe are *crowdfunded*.\n"));
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out()).contains("Set the extended description");
        Http.Response r = http.get("/api/v1/instance/extended_description");
        assertThat(r.status()).isEqualTo(200);
        MastodonSchemas.assertValid("ExtendedDescription", r.body());
        assertThat(r.json().path("content").asString()).contains("<h2>Funding</h2>").contains("<em>crowdfunded</em>");
        // Public: a token the server does not know changes nothing.
        assertThat(http.get("/api/v1/instance/extended_description", "no-such-token").status()).isEqualTo(200);

        assertThat(cli("remove", "--extended-description").exit()).isZero();
        assertThat(http.get("/api/v1/instance/extended_description").json().path("content").asString()).isEmpty();
        assertThat(cli("remove", "--extended-description").exit()).as("nothing to remove").isEqualTo(1);
    }

    @Test
    void privacyPolicyIsEscapedAndNamesTheDomain() {
        assertThat(http.get("/api/v1/instance/privacy_policy").status()).isEqualTo(404);
        String text = "# Privacy on %{domain}\n\n<script>alert(1)</script>\n\n![a tracking pixel](https://x.example/p.png)\n";
        assertThat(cli("set", "--privacy-policy", file("privacy.md", text)).exit()).isZero();
        Http.Response r = http.get("/api/v1/instance/privacy_policy");
        assertThat(r.status()).isEqualTo(200);
        MastodonSchemas.assertValid("PrivacyPolicy", r.body());
        String content = r.json().path("content").asString();
        assertThat(content).contains("<h1>Privacy on " + domain() + "</h1>")
                .contains("&lt;script&gt;").doesNotContain("<script>")
                .contains("a tracking pixel").doesNotContain("<img");
        assertThat(cli("show").out()).contains("privacy policy\tset ");
    }

    @Test
    void termsOfServiceInEffectAndByDate() {
        assertThat(http.get("/api/v1/instance/terms_of_service").status()).isEqualTo(404);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate past = today.minusDays(30);
        LocalDate future = today.plusDays(30);

        // Before any terms take effect, the latest published ones are shown, not yet effective.
        assertThat(cli("set", "--terms-of-service", file("next.md", "Coming terms for %{domain}"),
                "--effective-date", future.toString()).exit()).isZero();
        JsonNode coming = terms("/api/v1/instance/terms_of_service");
        assertThat(coming.path("effective_date").asString()).isEqualTo(future.toString());
        assertThat(coming.path("effective").asBoolean()).isFalse();
        assertThat(coming.path("content").asString()).contains("Coming terms for " + domain());

        assertThat(cli("set", "--terms-of-service", file("old.md", "Old **terms**"), "--effective-date", past.toString())
                .exit()).isZero();
        JsonNode current = terms("/api/v1/instance/terms_of_service");
        assertThat(current.path("effective_date").asString()).isEqualTo(past.toString());
        assertThat(current.path("effective").asBoolean()).isTrue();
        assertThat(current.path("succeeded_by").asString()).isEqualTo(future.toString());
        assertThat(current.path("content").asString()).contains("<strong>terms</strong>");

        JsonNode byDate = terms("/api/v1/instance/terms_of_service/" + future);
        assertThat(byDate.path("succeeded_by").isNull()).isTrue();
        assertThat(http.get("/api/v1/instance/terms_of_service/" + today).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/instance/terms_of_service/yesterday").status()).isEqualTo(404);

        Run set = cli("set", "--terms-of-service", file("today.md", "Today's"));
        assertThat(set.out()).contains("effective " + today);
        assertThat(terms("/api/v1/instance/terms_of_service").path("effective_date").asString()).isEqualTo(today.toString());
        assertThat(cli("remove", "--terms-of-service", today.toString()).exit()).isZero();
        assertThat(terms("/api/v1/instance/terms_of_service").path("effective_date").asString()).isEqualTo(past.toString());
    }

    static JsonNode terms(String path) {
        Http.Response r = http.get(path);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("TermsOfService", r.body());
        return r.json();
    }

    @Test
    void theCommandRefusesWhatItCannotUse() {
        Run nothing = cli("set");
        assertThat(nothing.exit()).isEqualTo(2);
        assertThat(nothing.err()).contains("Give --extended-description, --privacy-policy or --terms-of-service");
        Run badDate = cli("set", "--terms-of-service", file("t.md", "x"), "--effective-date", "soon");
        assertThat(badDate.exit()).isEqualTo(2);
        assertThat(badDate.err()).contains("--effective-date must be a date");
        assertThat(cli("set", "--privacy-policy", files.resolve("missing.md").toString()).exit()).isEqualTo(2);
        assertThat(cli("set", "--privacy-policy", file("blank.md", "  \n")).exit()).as("empty text").isEqualTo(1);
        assertThat(cli("set", "--effective-date", "2030-01-01", "--privacy-policy", file("p.md", "x")).exit())
                .isEqualTo(2);
        assertThat(cli("remove", "--terms-of-service", "2001-01-01").exit()).isEqualTo(1);
    }

    @Test
    void translationLanguagesAreEmptyWithoutATranslationService() {
        Http.Response r = http.get("/api/v1/instance/translation_languages");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{}");
    }

    @Test
    void domainBlocksAreNotShownAsMastodonsDefault() {
        assertThat(http.get("/api/v1/instance/domain_blocks").status()).isEqualTo(404);
        String token = server.token(name("viewer"), "read");
        assertThat(http.get("/api/v1/instance/domain_blocks", token).status()).isEqualTo(404);
    }

    static int people;

    static String name(String prefix) {
        String name = prefix + (++people);
        server.createAccount(name);
        return name;
    }

    @Test
    void activityCountsTwelveWeeksOfLocalPostsLoginsAndSignUps() {
        JsonNode before = activity();
        String alice = name("alice");
        String bob = name("bob");
        String aliceToken = server.token(alice, "read write");
        server.token(bob, "read");
        String post = post(aliceToken, "hello");
        post(aliceToken, "again");
        assertThat(http.postJson("/api/v1/statuses/" + post + "/reblog", server.token(bob, "write"), "").status())
                .isEqualTo(200);
        // A post from three days ago falls in the second week, which holds the seven days before today.
        String old = post(aliceToken, "old news");
        server.app.database().jdbi().useHandle(h -> h.execute(
                "UPDATE statuses SET created_at = now() - interval '3 days' WHERE id = ?", Long.parseLong(old)));

        JsonNode after = activity();
        assertThat(delta(before, after, 0, "statuses")).as("boosts do not count").isEqualTo(2);
        assertThat(delta(before, after, 1, "statuses")).isEqualTo(1);
        assertThat(delta(before, after, 0, "registrations")).isEqualTo(2);
        assertThat(delta(before, after, 0, "logins")).isEqualTo(2);
        long week0 = Long.parseLong(after.get(0).path("week").asString());
        long week1 = Long.parseLong(after.get(1).path("week").asString());
        assertThat(week0).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
        assertThat(week0 - week1).isEqualTo(7 * 24 * 3600);
    }

    static String post(String token, String text) {
        Http.Response r = http.postJson("/api/v1/statuses", token, Json.write(Map.of("status", text)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    static JsonNode activity() {
        Http.Response r = http.get("/api/v1/instance/activity");
        assertThat(r.status()).isEqualTo(200);
        JsonNode weeks = r.json();
        assertThat(weeks).hasSize(12);
        for (JsonNode week : weeks) {
            assertThat(week.propertyNames()).containsExactly("week", "statuses", "logins", "registrations");
            week.forEach(value -> assertThat(value.isString()).as("Mastodon's numbers are strings").isTrue());
        }
        return weeks;
    }

    static long delta(JsonNode before, JsonNode after, int week, String field) {
        return Long.parseLong(after.get(week).path(field).asString()) - Long.parseLong(before.get(week).path(field).asString());
    }
}
