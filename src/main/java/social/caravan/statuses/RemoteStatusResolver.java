package social.caravan.statuses;

import java.util.Optional;

/**
 * Finds statuses by their URI on demand, fetching those of other servers; federation implements it, so
 * search can resolve post URLs without depending on federation.
 */
public interface RemoteStatusResolver {
    /** A status by URI: this server's, a stored one, or fetched from its server and stored. */
    Optional<Status> resolve(String uri);
}
