package social.caravan.federation;

import java.security.PrivateKey;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.net.RequestSigner;
import social.caravan.core.signatures.DraftCavage;
import social.caravan.core.signatures.Keys;

/**
 * The server's own actor ({@code /actor}, an Application, as Mastodon's): it signs the fetches this
 * server makes on nobody's behalf (actors, keys, objects), which servers in authorized-fetch mode
 * require. Its key pair is made on first use and kept in the database, so every process signs alike.
 */
public final class InstanceActor {
    private final Jdbi jdbi;
    private final InstanceActorStore store = new InstanceActorStore();
    private final String baseUrl;
    private final Clock clock;
    private volatile Keys.Pem keys;
    private volatile PrivateKey privateKey;

    public InstanceActor(Jdbi jdbi, String baseUrl, Clock clock) {
        this.jdbi = jdbi;
        this.baseUrl = baseUrl;
        this.clock = clock;
    }

    public String uri() {
        return baseUrl + "/actor";
    }

    public String keyId() {
        return uri() + "#main-key";
    }

    public String publicKeyPem() {
        return keys().publicKey();
    }

    /** Signs requests as the instance actor (draft-cavage, rsa-sha256). */
    public RequestSigner signer() {
        return (method, uri, host, contentType, body) ->
                DraftCavage.sign(method, uri, host, contentType, body, keyId(), privateKey(), clock.instant());
    }

    private PrivateKey privateKey() {
        PrivateKey key = privateKey;
        if (key == null) {
            key = Keys.privateKey(keys().privateKey());
            privateKey = key;
        }
        return key;
    }

    private Keys.Pem keys() {
        Keys.Pem pem = keys;
        if (pem == null) {
            pem = jdbi.inTransaction(h -> store.keys(h).orElseGet(() -> {
                store.insertIfAbsent(h, Keys.generateRsa());
                return store.keys(h).orElseThrow();
            }));
            keys = pem;
        }
        return pem;
    }
}
