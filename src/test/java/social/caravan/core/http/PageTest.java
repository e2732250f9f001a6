package social.caravan.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import social.caravan.support.Http;

/** Page's parameters and Link header, on a route that pages through the ids 1 to 50 as Mastodon would. */
class PageTest {
    static Javalin app;
    static Http http;
    static String base;

    @BeforeAll
    static void start() {
        app = HttpServer.create(List.of(routes -> routes.get("/api/v1/items", ctx -> {
            Page page = Page.of(ctx, 20, 40);
            LongStream ids = LongStream.rangeClosed(1, 50);
            if (page.maxId().isPresent()) {
                ids = ids.filter(id -> id < page.maxId().getAsLong());
            }
            if (page.sinceId().isPresent()) {
                ids = ids.filter(id -> id > page.sinceId().getAsLong());
            }
            List<Long> newestFirst;
            if (page.forward()) {
                newestFirst = ids.filter(id -> id > page.minId().getAsLong()).limit(page.limit()).boxed()
                        .sorted((a, b) -> Long.compare(b, a)).toList();
            } else {
                newestFirst = ids.boxed().sorted((a, b) -> Long.compare(b, a)).limit(page.limit()).toList();
            }
            page.link(ctx, base, newestFirst);
            ctx.json(newestFirst.stream().map(String::valueOf).toList());
        })), rateLimits(), new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
        http = new Http(base);
    }

    private static RateLimits rateLimits() {
        return new RateLimits(new social.caravan.core.config.Config.RateLimits(300, 300, 5, 1800),
                new ClientAddresses(List.of()), new Authn(token -> java.util.Optional.empty()),
                new RateLimiter(java.time.Clock.systemUTC()));
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void defaultLimitAndNextLinkRoundTrip() {
        Http.Response first = http.get("/api/v1/items");
        assertThat(first.json().size()).isEqualTo(20);
        assertThat(first.json().get(0).asString()).isEqualTo("50");
        String link = first.header("Link");
        assertThat(link).isEqualTo("<" + base + "/api/v1/items?limit=20&max_id=31>; rel=\"next\", <"
                + base + "/api/v1/items?limit=20&min_id=50>; rel=\"prev\"");
        String next = link.substring(1, link.indexOf('>'));
        Http.Response second = http.get(next);
        assertThat(second.json().get(0).asString()).isEqualTo("30");
        assertThat(second.json().get(19).asString()).isEqualTo("11");
    }

    @Test
    void minIdPagesForwardFromTheCursor() {
        Http.Response page = http.get("/api/v1/items?min_id=10&limit=3");
        assertThat(page.json().toString()).isEqualTo("[\"13\",\"12\",\"11\"]");
    }

    @Test
    void limitIsCappedAndOtherParametersSurviveInLinks() {
        Http.Response page = http.get("/api/v1/items?limit=1000&only_media=true");
        assertThat(page.json().size()).isEqualTo(40);
        assertThat(page.header("Link")).contains("only_media=true&limit=40&max_id=11");
    }

    @Test
    void emptyPageHasNoLinkAndBadIdsAreRefused() {
        Http.Response empty = http.get("/api/v1/items?max_id=1");
        assertThat(empty.json().size()).isZero();
        assertThat(empty.header("Link")).isNull();
        Http.Response bad = http.get("/api/v1/items?max_id=abc");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().path("error").asString()).contains("max_id");
    }
}
