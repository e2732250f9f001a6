package social.caravan.federation;

import java.util.Optional;
import org.jdbi.v3.core.Handle;
import social.caravan.core.signatures.Keys;

/** SQL for the instance actor's key pair (one row). */
final class InstanceActorStore {
    Optional<Keys.Pem> keys(Handle h) {
        return h.createQuery("SELECT public_key, private_key FROM instance_actor")
                .map((rs, ctx) -> new Keys.Pem(rs.getString("public_key"), rs.getString("private_key"))).findOne();
    }

    /** Keeps the first pair written when two processes make one at once. */
    void insertIfAbsent(Handle h, Keys.Pem keys) {
        h.createUpdate("INSERT INTO instance_actor (public_key, private_key) VALUES (:pub, :priv) ON CONFLICT DO NOTHING")
                .bind("pub", keys.publicKey()).bind("priv", keys.privateKey()).execute();
    }
}
