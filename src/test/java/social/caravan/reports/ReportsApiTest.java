package social.caravan.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import social.caravan.core.json.Json;
import social.caravan.support.Http;
import social.caravan.support.MastodonSchemas;
import social.caravan.support.TestServer;
import tools.jackson.databind.JsonNode;

/** Filing reports over HTTP, what is refused, and `caravan reports list`. */
class ReportsApiTest {
    static TestServer server;
    static Http http;
    static String alice;
    static String bob;
    static String carol;
    static long bobId;
    static long carolId;
    static long rule;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = server.http;
        server.createAccount("alice");
        bobId = server.createAccount("bob");
        carolId = server.createAccount("carol");
        alice = server.token("alice", "read write");
        bob = server.token("bob", "read write");
        carol = server.token("carol", "read write");
        rule = server.app.instance().addRule("No spam", "");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String post(String token, String text, String visibility) {
        Http.Response r = http.postJson("/api/v1/statuses", token, Json.write(Map.of("status", text, "visibility", visibility)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asString();
    }

    static Http.Response report(String token, Map<String, Object> body) {
        return http.postJson("/api/v1/reports", token, Json.write(body));
    }

    static long reportCount() {
        return server.app.database().jdbi().withHandle(h -> h.select("SELECT count(*) FROM reports").mapTo(Long.class).one());
    }

    @Test
    void aReportNamesTheAccountItsStatusesAndTheCategory() {
        String spam = post(bob, "buy now", "public");
        Http.Response r = report(alice, Map.of("account_id", Long.toString(bobId), "status_ids", List.of(spam),
                "comment", "selling things", "category", "spam", "forward", true));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Report", r.body());
        JsonNode report = r.json();
        assertThat(report.path("category").asString()).isEqualTo("spam");
        assertThat(report.path("comment").asString()).isEqualTo("selling things");
        assertThat(report.path("status_ids").get(0).asString()).isEqualTo(spam);
        assertThat(report.path("rule_ids").isNull()).isTrue();
        assertThat(report.path("action_taken").asBoolean()).isFalse();
        assertThat(report.path("action_taken_at").isNull()).isTrue();
        assertThat(report.path("forwarded").asBoolean()).as("a local account: nowhere to forward to").isFalse();
        assertThat(report.path("target_account").path("id").asString()).isEqualTo(Long.toString(bobId));

        Http.Response bare = http.postForm("/api/v1/reports", carol, Http.fields("account_id", Long.toString(bobId)));
        assertThat(bare.status()).isEqualTo(200);
        MastodonSchemas.assertValid("Report", bare.body());
        assertThat(bare.json().path("category").asString()).as("the default").isEqualTo("other");
        assertThat(bare.json().path("comment").asString()).isEmpty();
        assertThat(bare.json().path("status_ids").size()).isZero();
    }

    @Test
    void citingRulesMakesItAViolationAndTheRulesMustExist() {
        Http.Response r = report(alice, Map.of("account_id", Long.toString(bobId), "category", "spam",
                "rule_ids", List.of(Long.toString(rule))));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        MastodonSchemas.assertValid("Report", r.body());
        assertThat(r.json().path("category").asString()).as("as on Mastodon, cited rules win").isEqualTo("violation");
        assertThat(r.json().path("rule_ids").get(0).asString()).isEqualTo(Long.toString(rule));

        long before = reportCount();
        Http.Response unknown = report(alice, Map.of("account_id", Long.toString(bobId), "category", "violation",
                "rule_ids", List.of(Long.toString(rule), "12345")));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().path("error").asString()).isEqualTo("Validation failed: Rule ids does not reference valid rules");
        assertThat(reportCount()).isEqualTo(before);
    }

    @Test
    void badInputIsRefusedAndNothingIsStored() {
        long before = reportCount();
        String carols = post(carol, "not bob's", "public");
        String hidden = post(bob, "followers only", "private");

        Http.Response nobody = report(alice, Map.of("account_id", "999999"));
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(nobody.json().path("error").asString()).isEqualTo("Record not found");
        assertThat(report(alice, Map.of()).status()).isEqualTo(404);
        assertThat(report(alice, Map.of("account_id", "bob")).status()).isEqualTo(404);
        assertThat(report(alice, Map.of("account_id", Long.toString(bobId), "status_ids", List.of(carols))).status())
                .as("another account's status").isEqualTo(404);
        assertThat(report(alice, Map.of("account_id", Long.toString(bobId), "status_ids", List.of(hidden))).status())
                .as("a status the reporter cannot see").isEqualTo(404);
        assertThat(report(alice, Map.of("account_id", Long.toString(bobId), "status_ids", List.of("nonsense"))).status())
                .isEqualTo(404);

        Http.Response longComment = report(alice, Map.of("account_id", Long.toString(bobId), "comment", "x".repeat(1001)));
        assertThat(longComment.status()).isEqualTo(422);
        assertThat(longComment.json().path("error").asString())
                .isEqualTo("Validation failed: Comment is too long (maximum is 1000 characters)");
        assertThat(report(alice, Map.of("account_id", Long.toString(bobId), "comment", "é".repeat(1000))).status())
                .as("1000 characters fit").isEqualTo(200);
        Http.Response category = report(alice, Map.of("account_id", Long.toString(bobId), "category", "rude"));
        assertThat(category.status()).isEqualTo(422);
        assertThat(category.json().path("error").asString()).contains("Category");
        assertThat(reportCount()).isEqualTo(before + 1);
    }

    @Test
    void reportingNeedsAUserTokenWithWriteReports() {
        Map<String, Object> body = Map.of("account_id", Long.toString(carolId));
        assertThat(report(null, body).status()).isEqualTo(401);
        assertThat(report(server.token("alice", "read"), body).status()).isEqualTo(403);
        assertThat(report(server.token("alice", "write:statuses"), body).status()).isEqualTo(403);
        assertThat(report(server.token("alice", "write:reports"), body).status()).isEqualTo(200);
        String blockedBy = post(carol, "carol's post", "public");
        assertThat(http.postJson("/api/v1/accounts/" + server.app.accounts().findLocal("alice").orElseThrow().id() + "/block",
                carol, "").status()).isEqualTo(200);
        assertThat(report(alice, Map.of("account_id", Long.toString(carolId), "status_ids", List.of(blockedBy))).status())
                .as("a blocked reporter cannot see the status").isEqualTo(404);
        assertThat(report(alice, body).status()).as("but may still report the account").isEqualTo(200);
    }

    @Test
    void operatorsListReportsFromTheCommandLine() {
        String evidence = post(bob, "evidence", "public");
        assertThat(report(carol, Map.of("account_id", Long.toString(bobId), "status_ids", List.of(evidence),
                "comment", "see\nthis", "rule_ids", List.of(Long.toString(rule)))).status()).isEqualTo(200);

        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new ReportsCommand(chore -> chore.applyAsInt(server.app.reports())));
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("list", "--limit", "1")).isEqualTo(0);
        String listed = out.toString();
        assertThat(listed).contains("@carol reported @bob  violation")
                .contains("statuses: " + evidence)
                .contains("rules: " + rule)
                .contains("comment: see this");
        assertThat(listed.lines().filter(l -> l.startsWith("#")).count()).as("--limit 1").isEqualTo(1);

        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("list", "--limit", "many")).isEqualTo(2);
        assertThat(err.toString()).contains("--limit");
    }
}
