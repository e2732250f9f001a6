package social.caravan.auth;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** An OAuth client registered through POST /api/v1/apps. */
public record Application(long id, String name, String website, List<String> redirectUris, Set<String> scopes,
                          String clientId, String clientSecretHash, Instant createdAt) {

    public static final String OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob";
}
