package social.caravan.core.net;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import social.caravan.core.queue.Delivery;
import social.caravan.core.queue.Sender;

/**
 * Sends deliveries as HTTP POSTs of ActivityPub JSON through the {@link FederationClient}: its
 * address guard, timeouts (a silent server holds a lane for seconds, not forever) and size cap.
 * A target that is not an http(s) URL, or whose host resolves only to addresses the guard refuses,
 * is rejected for good. Signing is the {@link RequestSigner}'s job, chosen per delivery.
 */
public final class HttpSender implements Sender {
    private final FederationClient client;
    private final java.util.function.Function<Delivery, RequestSigner> signers;

    /** Unsigned deliveries. */
    public HttpSender(FederationClient client) {
        this(client, delivery -> RequestSigner.NONE);
    }

    public HttpSender(FederationClient client, java.util.function.Function<Delivery, RequestSigner> signers) {
        this.client = client;
        this.signers = signers;
    }

    @Override
    public Outcome send(Delivery delivery) {
        try {
            URI target = URI.create(delivery.target());
            FederationClient.Response response = client.post(target, "application/activity+json",
                    delivery.payload().getBytes(StandardCharsets.UTF_8), signers.apply(delivery),
                    FederationClient.MAX_JSON_BYTES);
            return Outcome.ofStatus(response.status());
        } catch (IllegalArgumentException | BlockedAddressException e) {
            return Outcome.REJECTED; // a target that is not a usable, allowed URL never will be
        } catch (IOException e) {
            return Outcome.RETRY;
        }
    }
}
