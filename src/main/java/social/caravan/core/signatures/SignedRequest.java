package social.caravan.core.signatures;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What verifying a signature needs of an inbound request.
 *
 * @param method  as sent, e.g. {@code POST}
 * @param target  the raw path and query as sent, e.g. {@code /users/a/inbox?x=1}
 * @param scheme  {@code https} or {@code http}, as the server is reached from outside
 * @param headers every header by lower-case name, values in order
 * @param body    the raw body, empty when there is none
 */
public record SignedRequest(String method, String target, String scheme, Map<String, List<String>> headers, byte[] body) {

    /** The header's values joined as HTTP combines them ({@code ", "}), or null when absent. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        if (values == null || values.isEmpty()) {
            return null;
        }
        return String.join(", ", values.stream().map(String::strip).toList());
    }

    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** The query without its {@code ?}, or null. */
    public String query() {
        int q = target.indexOf('?');
        return q < 0 ? null : target.substring(q + 1);
    }
}
