package social.caravan.core.signatures;

import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Verifies an inbound request's signature: RFC 9421 when it carries {@code Signature-Input}, else
 * draft-cavage ({@code Signature} or {@code Authorization: Signature}). Rules, as Mastodon's:
 * <ul>
 *   <li>draft-cavage: the signed headers must include {@code date} or {@code (created)}, and
 *       {@code (request-target)} or {@code digest}; a request with a body must sign {@code digest}, and
 *       the Digest must match the body; the Date must be within {@link #WINDOW} of now.</li>
 *   <li>RFC 9421: the signature must cover {@code @method} and the target ({@code @target-uri}, or
 *       {@code @authority} with {@code @path} or {@code @request-target}); a body needs a covered,
 *       matching {@code content-digest}; {@code created} must be within {@link #WINDOW}, {@code expires}
 *       not past.</li>
 *   <li>A key that fails is fetched once more ({@code refresh}), for actors who rotated their key.</li>
 * </ul>
 */
public final class SignatureVerifier {
    public static final Duration WINDOW = Duration.ofHours(12);

    /** Finds the public key a keyId names; {@code refresh} asks for it anew instead of from storage. */
    @FunctionalInterface
    public interface KeySource {
        Optional<PublicKey> find(String keyId, boolean refresh);
    }

    private final Clock clock;

    public SignatureVerifier(Clock clock) {
        this.clock = clock;
    }

    /** Whether the request carries any signature at all. */
    public static boolean isSigned(SignedRequest r) {
        return r.header("signature") != null || signatureAuthorization(r) != null;
    }

    /** Verifies the request and returns the keyId whose key signed it. */
    public String verify(SignedRequest r, KeySource keys) throws SignatureRejected {
        String input = r.header("signature-input");
        if (input != null) {
            String signature = r.header("signature");
            if (signature == null) {
                throw new SignatureRejected("Signature-Input without Signature");
            }
            return verifyRfc9421(r, Rfc9421.parse(input, signature), keys);
        }
        String header = r.header("signature");
        if (header == null) {
            header = signatureAuthorization(r);
        }
        if (header == null) {
            throw new SignatureRejected("the request is not signed");
        }
        return verifyCavage(r, DraftCavage.parse(header), keys);
    }

    private String verifyCavage(SignedRequest r, DraftCavage.Parameters p, KeySource keys) throws SignatureRejected {
        List<String> signed = p.headers();
        if (!signed.contains("date") && !signed.contains("(created)")) {
            throw new SignatureRejected("the signature must cover date or (created)");
        }
        if (!signed.contains("(request-target)") && !signed.contains("digest")) {
            throw new SignatureRejected("the signature must cover (request-target) or digest");
        }
        if (r.body().length > 0 && !signed.contains("digest")) {
            throw new SignatureRejected("a request with a body must sign its digest");
        }
        if (signed.contains("digest")) {
            String digest = r.header("digest");
            if (digest == null || !Digests.digestMatches(digest, r.body())) {
                throw new SignatureRejected("the Digest does not match the body");
            }
        }
        if (signed.contains("date")) {
            checkWindow(httpDate(r.header("date")));
        }
        if (signed.contains("(created)")) {
            if (p.created() == null) {
                throw new SignatureRejected("(created) is signed but missing");
            }
            checkWindow(Instant.ofEpochSecond(p.created()));
        }
        if (p.expires() != null && Instant.ofEpochSecond(p.expires()).isBefore(clock.instant())) {
            throw new SignatureRejected("the signature has expired");
        }
        for (boolean refresh : new boolean[] {false, true}) {
            Optional<PublicKey> key = keys.find(p.keyId(), refresh);
            if (key.isPresent() && DraftCavage.verify(p, r, key.get())) {
                return p.keyId();
            }
        }
        throw new SignatureRejected("the signature does not verify with the key " + p.keyId());
    }

    private String verifyRfc9421(SignedRequest r, List<Rfc9421.Member> members, KeySource keys) throws SignatureRejected {
        SignatureRejected last = null;
        for (Rfc9421.Member m : members) {
            try {
                return verifyMember(r, m, keys);
            } catch (SignatureRejected e) {
                last = e;
            }
        }
        throw last;
    }

    private String verifyMember(SignedRequest r, Rfc9421.Member m, KeySource keys) throws SignatureRejected {
        if (m.keyId() == null || m.keyId().isBlank()) {
            throw new SignatureRejected("the signature has no keyid");
        }
        List<String> covered = m.components();
        boolean target = covered.contains("@target-uri")
                || covered.contains("@authority") && (covered.contains("@path") || covered.contains("@request-target"));
        if (!covered.contains("@method") || !target) {
            throw new SignatureRejected("the signature must cover @method and @target-uri");
        }
        if (r.body().length > 0) {
            String digest = r.header("content-digest");
            if (!covered.contains("content-digest") || digest == null || !Digests.contentDigestMatches(digest, r.body())) {
                throw new SignatureRejected("the Content-Digest is not signed or does not match the body");
            }
        }
        if (m.created() == null) {
            throw new SignatureRejected("the signature has no created time");
        }
        checkWindow(Instant.ofEpochSecond(m.created()));
        if (m.expires() != null && Instant.ofEpochSecond(m.expires()).isBefore(clock.instant())) {
            throw new SignatureRejected("the signature has expired");
        }
        for (boolean refresh : new boolean[] {false, true}) {
            Optional<PublicKey> key = keys.find(m.keyId(), refresh);
            if (key.isPresent() && Rfc9421.verify(m, r, key.get())) {
                return m.keyId();
            }
        }
        throw new SignatureRejected("the signature does not verify with the key " + m.keyId());
    }

    private void checkWindow(Instant sent) throws SignatureRejected {
        Duration age = Duration.between(sent, clock.instant()).abs();
        if (age.compareTo(WINDOW) > 0) {
            throw new SignatureRejected("the signature's date is more than 12 hours from now");
        }
    }

    private static Instant httpDate(String value) throws SignatureRejected {
        if (value == null) {
            throw new SignatureRejected("the signed Date header is missing");
        }
        ParsedDate last = lastDate;
        if (last != null && last.text().equals(value)) {
            return last.at();
        }
        try {
            Instant at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            lastDate = new ParsedDate(value, at);
            return at;
        } catch (DateTimeParseException e) {
            throw new SignatureRejected("the Date header is not an HTTP date");
        }
    }

    private record ParsedDate(String text, Instant at) {}

    /** Dates have whole seconds: requests arriving together mostly carry the same one, parsed once. */
    private static volatile ParsedDate lastDate;

    private static String signatureAuthorization(SignedRequest r) {
        String authorization = r.header("authorization");
        return authorization != null && authorization.regionMatches(true, 0, "Signature ", 0, 10) ? authorization : null;
    }
}
