package social.caravan.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import social.caravan.core.queue.Delivery;
import social.caravan.core.queue.Sender;

/** The outbound client's guard, caps, timeouts and redirects, against small servers on loopback. */
class FederationClientTest {
    HttpServer server;
    String base;
    final List<String> seen = new CopyOnWriteArrayList<>();
    final List<String> userAgents = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            seen.add(exchange.getRequestURI().toString());
            userAgents.add(exchange.getRequestHeaders().getFirst("User-Agent"));
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            if (path.startsWith("/redirect/")) {
                int left = Integer.parseInt(path.substring(10));
                exchange.getResponseHeaders().add("Location", left == 0 ? "/doc" : "/redirect/" + (left - 1));
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
                return;
            }
            if (path.equals("/huge")) {
                body = new byte[FederationClient.MAX_JSON_BYTES + 10];
            } else if (path.equals("/slow")) {
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                body = "{}".getBytes();
            } else {
                body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/activity+json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static FederationClient client(boolean allowPrivate, Duration timeout) {
        return new FederationClient(new AddressGuard(allowPrivate), FederationClient.userAgent("0.1.0", "https://caravan.test"),
                Duration.ofSeconds(2), timeout);
    }

    @Test
    void knowsWhichAddressesArePublic() throws Exception {
        for (String address : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "2001:db8::1", "192.0.2.5")) {
            assertThat(AddressGuard.isPublic(InetAddress.getByName(address))).as(address).isFalse();
        }
        for (String address : List.of("93.184.216.34", "1.1.1.1", "2606:4700:4700::1111")) {
            assertThat(AddressGuard.isPublic(InetAddress.getByName(address))).as(address).isTrue();
        }
        assertThatThrownBy(() -> new AddressGuard(false).resolve("localhost")).isInstanceOf(BlockedAddressException.class);
        assertThat(new AddressGuard(true).resolve("localhost")).isNotEmpty();
    }

    @Test
    void refusesLoopbackUnlessAllowedAndNeverConnects() throws Exception {
        try (FederationClient strict = client(false, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> strict.get(URI.create(base + "/doc"), "application/activity+json", RequestSigner.NONE,
                    FederationClient.MAX_JSON_BYTES)).isInstanceOf(BlockedAddressException.class);
            HttpSender sender = new HttpSender(strict);
            assertThat(sender.send(new Delivery(1, "127.0.0.1", base + "/inbox", "{}", Instant.now())))
                    .isEqualTo(Sender.Outcome.REJECTED);
        }
        assertThat(seen).isEmpty();
        try (FederationClient open = client(true, Duration.ofSeconds(5))) {
            FederationClient.Response r = open.get(URI.create(base + "/doc"), "application/activity+json", RequestSigner.NONE,
                    FederationClient.MAX_JSON_BYTES);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("{\"ok\":true}");
        }
        assertThat(userAgents).containsExactly("Caravan/0.1.0 (+https://caravan.test/)");
    }

    @Test
    void capsBodiesAndTimesOut() throws Exception {
        try (FederationClient open = client(true, Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> open.get(URI.create(base + "/huge"), "application/json", RequestSigner.NONE,
                    FederationClient.MAX_JSON_BYTES)).isInstanceOf(ResponseTooLargeException.class);
            long started = System.nanoTime();
            assertThatThrownBy(() -> open.get(URI.create(base + "/slow"), "application/json", RequestSigner.NONE,
                    FederationClient.MAX_JSON_BYTES)).isInstanceOf(IOException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2900));
            assertThatThrownBy(() -> open.get(URI.create("ftp://127.0.0.1/x"), "application/json", RequestSigner.NONE, 100))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void followsAFewRedirectsSigningEachHop() throws Exception {
        AtomicInteger signed = new AtomicInteger();
        RequestSigner signer = (method, uri, host, type, body) -> {
            signed.incrementAndGet();
            return Map.of("Signature", "for " + uri.getPath());
        };
        try (FederationClient open = client(true, Duration.ofSeconds(5))) {
            FederationClient.Response r = open.get(URI.create(base + "/redirect/2"), "application/json", signer,
                    FederationClient.MAX_JSON_BYTES);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.uri().getPath()).isEqualTo("/doc");
            assertThat(signed).hasValue(4);
            assertThatThrownBy(() -> open.get(URI.create(base + "/redirect/5"), "application/json", RequestSigner.NONE,
                    FederationClient.MAX_JSON_BYTES)).isInstanceOf(IOException.class).hasMessageContaining("redirects");
        }
    }
}
