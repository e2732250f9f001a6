package social.caravan.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import social.caravan.support.Http;
import social.caravan.support.TestServer;

/** Sign-up on the web page, in each registration mode, as a person in a browser does it. */
class WebPagesTest {
    private static final Pattern CSRF = Pattern.compile("name=\"authenticity_token\" value=\"([^\"]+)\"");

    static String csrf(Http.Response page) {
        Matcher m = CSRF.matcher(page.body());
        assertThat(m.find()).as("a CSRF field in %s", page.body()).isTrue();
        return m.group(1);
    }

    static Http.Response signUp(Http browser, String username, String password, String confirmation) {
        String token = csrf(browser.get("/auth/sign_up"));
        return browser.postForm("/auth/sign_up", null, Http.fields("authenticity_token", token,
                "username", username, "email", username + "@example.com", "password", password,
                "password_confirmation", confirmation, "agreement", "1"));
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OpenRegistrations {
        TestServer server;

        @BeforeAll
        void start() {
            server = TestServer.start();
            server.app.instance().addRule("No spam", "");
        }

        @AfterAll
        void stop() {
            server.close();
        }

        @Test
        void signUpSignsTheBrowserIn() {
            Http browser = server.http.newBrowser();
            Http.Response form = browser.get("/auth/sign_up");
            assertThat(form.status()).isEqualTo(200);
            assertThat(form.body()).contains("No spam").contains("name=\"agreement\"");
            assertThat(form.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(form.header("Content-Security-Policy")).isEqualTo("frame-ancestors 'none'");

            Http.Response done = signUp(browser, "carol", "a fine password", "a fine password");
            assertThat(done.status()).isEqualTo(303);
            assertThat(done.header("Location")).isEqualTo("/");
            assertThat(done.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("caravan_session=")
                    && c.contains("HttpOnly") && c.contains("SameSite=Lax"));
            assertThat(browser.get("/").body()).contains("Signed in as <strong>@carol@");
            assertThat(server.http.get("/api/v1/accounts/lookup?acct=carol").status()).isEqualTo(200);
        }

        @Test
        void mistakesShowTheFormAgainAndCreateNothing() {
            Http browser = server.http.newBrowser();
            Http.Response mismatch = signUp(browser, "dave", "a fine password", "another password");
            assertThat(mismatch.status()).isEqualTo(422);
            assertThat(mismatch.body()).contains("The two passwords differ.");

            Http.Response invalid = signUp(browser, "no spaces allowed", "a fine password", "a fine password");
            assertThat(invalid.status()).isEqualTo(422);
            assertThat(invalid.body()).contains("Username must contain only letters, numbers and underscores");

            Http.Response forged = browser.postForm("/auth/sign_up", null, Http.fields("authenticity_token", "forged",
                    "username", "dave", "email", "dave@example.com", "password", "a fine password",
                    "password_confirmation", "a fine password", "agreement", "1"));
            assertThat(forged.status()).isEqualTo(403);
            assertThat(server.http.get("/api/v1/accounts/lookup?acct=dave").status()).isEqualTo(404);
        }

        @Test
        void signOutEndsTheSession() {
            Http browser = server.http.newBrowser();
            assertThat(signUp(browser, "erin", "a fine password", "a fine password").status()).isEqualTo(303);
            Http.Response home = browser.get("/");
            Http.Response out = browser.postForm("/auth/sign_out", null, Http.fields("authenticity_token", csrf(home)));
            assertThat(out.status()).isEqualTo(303);
            assertThat(browser.get("/").body()).contains("Sign in").doesNotContain("Signed in as");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ApprovalRequired {
        TestServer server;

        @BeforeAll
        void start() {
            server = TestServer.start(Map.of("CARAVAN_REGISTRATIONS", "approval"));
        }

        @AfterAll
        void stop() {
            server.close();
        }

        @Test
        void theAccountWaitsAndCannotSignInUntilApproved() {
            Http browser = server.http.newBrowser();
            Http.Response done = signUp(browser, "frank", "a fine password", "a fine password");
            assertThat(done.status()).isEqualTo(200);
            assertThat(done.body()).contains("approval");
            Http.Response signIn = browser.postForm("/auth/sign_in", null, Http.fields(
                    "authenticity_token", csrf(browser.get("/auth/sign_in")), "return_to", "/",
                    "login", "frank", "password", "a fine password"));
            assertThat(signIn.status()).isEqualTo(403);
            assertThat(signIn.body()).contains("Your login is currently pending approval");

            server.app.accounts().modifyUser("frank", new social.caravan.accounts.AccountService.UserChanges(
                    null, null, null, true, null));
            Http.Response approved = browser.postForm("/auth/sign_in", null, Http.fields(
                    "authenticity_token", csrf(browser.get("/auth/sign_in")), "return_to", "/",
                    "login", "frank@example.com", "password", "a fine password"));
            assertThat(approved.status()).isEqualTo(303);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ClosedRegistrations {
        TestServer server;

        @BeforeAll
        void start() {
            server = TestServer.start(Map.of("CARAVAN_REGISTRATIONS", "closed"));
        }

        @AfterAll
        void stop() {
            server.close();
        }

        @Test
        void theFormIsRefused() {
            Http.Response form = server.http.get("/auth/sign_up");
            assertThat(form.status()).isEqualTo(403);
            assertThat(form.body()).contains("Registrations are closed");
        }
    }
}
