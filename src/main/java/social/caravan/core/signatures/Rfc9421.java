package social.caravan.core.signatures;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP Message Signatures (RFC 9421) on requests: {@code Signature-Input} and {@code Signature}, the
 * derived components a request has, and the algorithms {@code rsa-v1_5-sha256}, {@code rsa-pss-sha512}
 * and {@code ed25519}. Component parameters ({@code ;sf}, {@code ;key}, {@code ;req}) are not supported:
 * a signature using them is not verifiable here, and the sender falls back to draft-cavage.
 */
public final class Rfc9421 {
    private Rfc9421() {}

    /**
     * One signature of the request.
     *
     * @param signatureParams the member's value in {@code Signature-Input} exactly as sent: the last line
     *                        of the signature base repeats it
     */
    public record Member(String label, List<String> components, Map<String, String> params, String signatureParams,
                         byte[] signature) {
        public String keyId() {
            return params.get("keyid");
        }

        public Long created() {
            return number(params.get("created"));
        }

        public Long expires() {
            return number(params.get("expires"));
        }

        private static Long number(String text) {
            try {
                return text == null ? null : Long.parseLong(text);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /** Every signature the two headers carry, in {@code Signature-Input}'s order. */
    public static List<Member> parse(String signatureInput, String signature) throws SignatureRejected {
        Map<String, String> inputs = dictionary(signatureInput);
        Map<String, String> signatures = dictionary(signature);
        List<Member> members = new ArrayList<>();
        for (Map.Entry<String, String> input : inputs.entrySet()) {
            String sig = signatures.get(input.getKey());
            if (sig == null) {
                continue;
            }
            sig = sig.strip();
            if (sig.length() < 2 || sig.charAt(0) != ':' || sig.charAt(sig.length() - 1) != ':') {
                throw new SignatureRejected("a Signature member is not a byte sequence");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(sig.substring(1, sig.length() - 1));
            } catch (IllegalArgumentException e) {
                throw new SignatureRejected("a Signature member is not base64");
            }
            members.add(member(input.getKey(), input.getValue().strip(), bytes));
        }
        if (members.isEmpty()) {
            throw new SignatureRejected("Signature-Input and Signature share no label");
        }
        return members;
    }

    private static Member member(String label, String value, byte[] signature) throws SignatureRejected {
        if (!value.startsWith("(")) {
            throw new SignatureRejected("a Signature-Input member must be an inner list");
        }
        int close = value.indexOf(')');
        if (close < 0) {
            throw new SignatureRejected("unterminated inner list in Signature-Input");
        }
        List<String> components = new ArrayList<>();
        String list = value.substring(1, close).strip();
        int i = 0;
        while (i < list.length()) {
            if (list.charAt(i) == ' ') {
                i++;
                continue;
            }
            if (list.charAt(i) != '"') {
                throw new SignatureRejected("components must be quoted strings");
            }
            int end = list.indexOf('"', i + 1);
            if (end < 0) {
                throw new SignatureRejected("unterminated component name");
            }
            components.add(list.substring(i + 1, end).toLowerCase(Locale.ROOT));
            i = end + 1;
            if (i < list.length() && list.charAt(i) == ';') {
                throw new SignatureRejected("component parameters are not supported");
            }
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String part : value.substring(close + 1).split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = (eq < 0 ? part : part.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            String v = eq < 0 ? "?1" : part.substring(eq + 1).strip();
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                v = v.substring(1, v.length() - 1);
            }
            params.put(name, v);
        }
        return new Member(label, List.copyOf(components), params, value, signature);
    }

    /** The signature base (RFC 9421 section 2.5) of {@code m} over request {@code r}. */
    public static String base(Member m, SignedRequest r) throws SignatureRejected {
        StringBuilder base = new StringBuilder();
        for (String component : m.components()) {
            String value = switch (component) {
                case "@method" -> r.method().toUpperCase(Locale.ROOT);
                case "@authority" -> authority(r);
                case "@scheme" -> r.scheme().toLowerCase(Locale.ROOT);
                case "@target-uri" -> r.scheme().toLowerCase(Locale.ROOT) + "://" + authority(r) + r.target();
                case "@request-target" -> r.target();
                case "@path" -> r.path();
                case "@query" -> "?" + (r.query() == null ? "" : r.query());
                default -> {
                    if (component.startsWith("@")) {
                        throw new SignatureRejected("unsupported component " + component);
                    }
                    yield r.header(component);
                }
            };
            if (value == null) {
                throw new SignatureRejected("the signed component " + component + " is missing");
            }
            base.append('"').append(component).append("\": ").append(value).append('\n');
        }
        return base.append("\"@signature-params\": ").append(m.signatureParams()).toString();
    }

    /** Verifies with {@code alg} when the member names one, else by the key's type (RSA: rsa-v1_5-sha256). */
    public static boolean verify(Member m, SignedRequest r, PublicKey key) throws SignatureRejected {
        String alg = m.params().get("alg");
        boolean rsa = key.getAlgorithm().equals("RSA");
        if (alg == null) {
            alg = rsa ? "rsa-v1_5-sha256" : "ed25519";
        }
        byte[] base = base(m, r).getBytes(StandardCharsets.UTF_8);
        try {
            Signature verifier;
            switch (alg) {
                case "rsa-v1_5-sha256" -> verifier = Signature.getInstance("SHA256withRSA");
                case "rsa-pss-sha512" -> {
                    verifier = Signature.getInstance("RSASSA-PSS");
                    verifier.setParameter(new PSSParameterSpec("SHA-512", "MGF1", MGF1ParameterSpec.SHA512, 64, 1));
                }
                case "ed25519" -> verifier = Signature.getInstance("Ed25519");
                default -> throw new SignatureRejected("unsupported algorithm " + alg);
            }
            if (rsa != alg.startsWith("rsa")) {
                throw new SignatureRejected("the key does not fit the algorithm " + alg);
            }
            verifier.initVerify(key);
            verifier.update(base);
            return verifier.verify(m.signature());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String authority(SignedRequest r) throws SignatureRejected {
        String host = r.header("host");
        if (host == null) {
            throw new SignatureRejected("the request has no Host");
        }
        return host.toLowerCase(Locale.ROOT);
    }

    /** An RFC 8941 dictionary split at top-level commas: member name to its raw value. */
    static Map<String, String> dictionary(String header) throws SignatureRejected {
        Map<String, String> out = new LinkedHashMap<>();
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i <= header.length(); i++) {
            char c = i < header.length() ? header.charAt(i) : ',';
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> quoted = true;
                case '(' -> depth++;
                case ')' -> depth--;
                case ',' -> {
                    if (depth == 0) {
                        String member = header.substring(start, Math.min(i, header.length())).strip();
                        if (!member.isEmpty()) {
                            int eq = member.indexOf('=');
                            if (eq <= 0) {
                                throw new SignatureRejected("malformed dictionary member: " + member);
                            }
                            out.put(member.substring(0, eq).strip(), member.substring(eq + 1));
                        }
                        start = i + 1;
                    }
                }
                default -> { }
            }
        }
        if (quoted || depth != 0) {
            throw new SignatureRejected("malformed structured header");
        }
        return out;
    }
}
