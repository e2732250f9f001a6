package social.caravan.core.signatures;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/** Body digests: the {@code Digest} header of draft-cavage and RFC 9530's {@code Content-Digest}. */
public final class Digests {
    private Digests() {}

    public static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sha512(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-512").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code SHA-256=base64}, as Mastodon sends it. */
    public static String digestHeader(byte[] body) {
        return "SHA-256=" + Base64.getEncoder().encodeToString(sha256(body));
    }

    /**
     * Whether a {@code Digest} header (a comma-separated list of {@code algorithm=base64}) holds a
     * SHA-256 or SHA-512 of {@code body} and nothing that contradicts it; a header naming only other
     * algorithms does not match.
     */
    public static boolean digestMatches(String header, byte[] body) {
        boolean matched = false;
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                return false;
            }
            String algorithm = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1).trim();
            byte[] expected = switch (algorithm) {
                case "sha-256" -> sha256(body);
                case "sha-512" -> sha512(body);
                default -> null;
            };
            if (expected != null) {
                if (!MessageDigest.isEqual(expected, decode(value))) {
                    return false;
                }
                matched = true;
            }
        }
        return matched;
    }

    /**
     * Whether a {@code Content-Digest} header (an RFC 8941 dictionary: {@code sha-256=:base64:}) holds
     * a matching SHA-256 or SHA-512 of {@code body}, and none that differs.
     */
    public static boolean contentDigestMatches(String header, byte[] body) {
        boolean matched = false;
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                return false;
            }
            String algorithm = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1).trim();
            if (!value.startsWith(":") || !value.endsWith(":") || value.length() < 2) {
                return false;
            }
            byte[] expected = switch (algorithm) {
                case "sha-256" -> sha256(body);
                case "sha-512" -> sha512(body);
                default -> null;
            };
            if (expected != null) {
                if (!MessageDigest.isEqual(expected, decode(value.substring(1, value.length() - 1)))) {
                    return false;
                }
                matched = true;
            }
        }
        return matched;
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }
}
