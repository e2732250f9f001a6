package social.caravan.core.signatures;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP Signatures as the fediverse uses them: draft-cavage-http-signatures-12 with {@code rsa-sha256}
 * (and {@code hs2019}, whose algorithm the key decides).
 */
public final class DraftCavage {
    /** RFC 7231's IMF-fixdate, the Date header's format. */
    public static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private DraftCavage() {}

    /** A parsed {@code Signature} header. {@code headers} defaults to {@code date}, as the draft says. */
    public record Parameters(String keyId, String algorithm, List<String> headers, byte[] signature,
                             Long created, Long expires) {}

    /**
     * The headers that sign one request as Mastodon signs it: {@code (request-target) host date}, plus
     * {@code digest} and {@code content-type} when there is a body. Returns Date, Digest (with a body)
     * and Signature; the caller sends Host and Content-Type with exactly the values given here.
     */
    public static Map<String, String> sign(String method, URI uri, String host, String contentType, byte[] body,
                                           String keyId, PrivateKey key, Instant now) {
        Map<String, String> out = new LinkedHashMap<>();
        String date = HTTP_DATE.format(now);
        out.put("Date", date);
        List<String> names = new ArrayList<>(List.of("(request-target)", "host", "date"));
        Map<String, String> values = new LinkedHashMap<>();
        values.put("host", host);
        values.put("date", date);
        boolean hasBody = body != null && body.length > 0;
        if (hasBody) {
            String digest = Digests.digestHeader(body);
            out.put("Digest", digest);
            names.add("digest");
            values.put("digest", digest);
            if (contentType != null) {
                names.add("content-type");
                values.put("content-type", contentType);
            }
        }
        String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            target += "?" + uri.getRawQuery();
        }
        StringBuilder base = new StringBuilder();
        for (String name : names) {
            if (!base.isEmpty()) {
                base.append('\n');
            }
            base.append(name).append(": ")
                    .append(name.equals("(request-target)") ? method.toLowerCase(Locale.ROOT) + " " + target : values.get(name));
        }
        byte[] signature = sign(key, base.toString().getBytes(StandardCharsets.UTF_8));
        out.put("Signature", "keyId=\"" + keyId + "\",algorithm=\"rsa-sha256\",headers=\"" + String.join(" ", names)
                + "\",signature=\"" + Base64.getEncoder().encodeToString(signature) + "\"");
        return out;
    }

    /** Parses {@code keyId="…",algorithm="…",headers="…",signature="…"} (also from {@code Authorization: Signature …}). */
    public static Parameters parse(String header) throws SignatureRejected {
        String text = header.strip();
        if (text.regionMatches(true, 0, "Signature ", 0, 10)) {
            text = text.substring(10);
        }
        Map<String, String> params = new LinkedHashMap<>();
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && (text.charAt(i) == ',' || text.charAt(i) == ' ')) {
                i++;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = text.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            String value;
            if (eq + 1 < text.length() && text.charAt(eq + 1) == '"') {
                int close = text.indexOf('"', eq + 2);
                if (close < 0) {
                    throw new SignatureRejected("unterminated value in the Signature header");
                }
                value = text.substring(eq + 2, close);
                i = close + 1;
            } else {
                int comma = text.indexOf(',', eq);
                value = (comma < 0 ? text.substring(eq + 1) : text.substring(eq + 1, comma)).strip();
                i = comma < 0 ? text.length() : comma;
            }
            params.putIfAbsent(name, value);
        }
        String keyId = params.get("keyid");
        String signature = params.get("signature");
        if (keyId == null || keyId.isBlank() || signature == null) {
            throw new SignatureRejected("the Signature header needs keyId and signature");
        }
        String headers = params.getOrDefault("headers", "date").strip();
        List<String> names = headers.isEmpty() ? List.of()
                : List.of(headers.toLowerCase(Locale.ROOT).split("\\s+"));
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            throw new SignatureRejected("the signature is not base64");
        }
        return new Parameters(keyId, params.getOrDefault("algorithm", "hs2019").toLowerCase(Locale.ROOT), names, bytes,
                number(params.get("created")), number(params.get("expires")));
    }

    /** The string the signer signed, from the headers the signature names, in its order. */
    public static String signingString(Parameters p, SignedRequest r) throws SignatureRejected {
        StringBuilder base = new StringBuilder();
        for (String name : p.headers()) {
            if (!base.isEmpty()) {
                base.append('\n');
            }
            String value = switch (name) {
                case "(request-target)" -> r.method().toLowerCase(Locale.ROOT) + " " + r.target();
                case "(created)" -> p.created() == null ? null : Long.toString(p.created());
                case "(expires)" -> p.expires() == null ? null : Long.toString(p.expires());
                default -> r.header(name);
            };
            if (value == null) {
                throw new SignatureRejected("the signed header " + name + " is missing");
            }
            base.append(name).append(": ").append(value);
        }
        return base.toString();
    }

    public static boolean verify(Parameters p, SignedRequest r, PublicKey key) throws SignatureRejected {
        String jdkAlgorithm = switch (p.algorithm()) {
            case "rsa-sha256" -> "SHA256withRSA";
            case "rsa-sha512" -> "SHA512withRSA";
            case "ed25519" -> "Ed25519";
            case "hs2019" -> key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : key.getAlgorithm();
            default -> throw new SignatureRejected("unsupported algorithm " + p.algorithm());
        };
        if (!jdkAlgorithm.equals("Ed25519") && !key.getAlgorithm().equals("RSA")
                || jdkAlgorithm.equals("Ed25519") && !key.getAlgorithm().equals("Ed25519") && !key.getAlgorithm().equals("EdDSA")) {
            throw new SignatureRejected("the key does not fit the algorithm " + p.algorithm());
        }
        byte[] base = signingString(p, r).getBytes(StandardCharsets.UTF_8);
        try {
            Signature verifier = Signature.getInstance(jdkAlgorithm);
            verifier.initVerify(key);
            verifier.update(base);
            return verifier.verify(p.signature());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature signer = Signature.getInstance(key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "Ed25519");
            signer.initSign(key);
            signer.update(data);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not sign", e);
        }
    }

    private static Long number(String text) throws SignatureRejected {
        if (text == null) {
            return null;
        }
        try {
            return Long.parseLong(text.strip().replaceFirst("\\.\\d+$", ""));
        } catch (NumberFormatException e) {
            throw new SignatureRejected("created and expires must be numbers");
        }
    }
}
