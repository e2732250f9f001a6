package social.caravan.core.net;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import social.caravan.core.queue.Delivery;
import social.caravan.core.queue.Sender;

/**
 * Sends deliveries as HTTP POSTs of ActivityPub JSON, with firm timeouts so a silent server holds a
 * lane for seconds, not forever. (HTTP Signatures and the private-address guard come with federation.)
 */
public final class HttpSender implements Sender {
    private final HttpClient client;
    private final Duration requestTimeout;

    public HttpSender(Duration connectTimeout, Duration requestTimeout) {
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.requestTimeout = requestTimeout;
    }

    @Override
    public Outcome send(Delivery delivery) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(delivery.target()))
                    .timeout(requestTimeout)
                    .header("Content-Type", "application/activity+json")
                    .POST(HttpRequest.BodyPublishers.ofString(delivery.payload()))
                    .build();
            return Outcome.ofStatus(client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (IllegalArgumentException e) {
            return Outcome.REJECTED; // a target that is not a usable URL never will be
        } catch (IOException e) {
            return Outcome.RETRY;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.RETRY;
        }
    }
}
