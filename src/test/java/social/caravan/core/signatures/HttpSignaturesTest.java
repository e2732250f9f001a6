package social.caravan.core.signatures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Signing and verifying with fixed vectors: draft-cavage-http-signatures' appendix C (its test key and
 * request), a vector computed with OpenSSL over the headers Caravan signs, and RFC 9421's B.2.6 (ed25519).
 */
class HttpSignaturesTest {
    /** draft-cavage appendix C's public key. */
    static final String SPEC_PUBLIC = """
            -----BEGIN PUBLIC KEY-----
            MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
            6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
            Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
            oYi+1hqp1fIekaxsyQIDAQAB
            -----END PUBLIC KEY-----
            """;
    /** The same key's private half, converted to PKCS#8 (openssl pkcs8 -topk8 -nocrypt). */
    static final String SPEC_PRIVATE = """
            -----BEGIN PRIVATE KEY-----
            MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBAMIUQ0bDffIaKHL3
            akONlCGXQLfqs8mP4K99ILz6rbyHEDXrVAU1R3XfC4JNRyrRB3aqwF7/aEXJzYMI
            kmDSHUvvz7pnhQxHsQ5yl91QT0d/eb+Gz4VRHjm4El4MrUdIUcPxscoPqS/wU8Z8
            lOi1z7bGMnChiL7WGqnV8h6RrGzJAgMBAAECgYEAlHxmQJS/HmTO/6612XtPkyei
            t1PVO+hdckZcrtln5S68w1QJ03ZA9ziwGIBBa8vDVxIq3kOwpnxQROlg/Lyk9iec
            MTPZ0NiJp7D37ESm5vJ5bagfhnHvXCoG04qSrCtdr+nN2mK5xFGOTq8TphjsQEGz
            +Du5qdWkaJs5UASyofUCQQDsOSNUfbxYNSB/Weq9+fYqPoJPuchwTeMYmxlnvOVm
            YGYcUM40wtStdH9mbelHmbS0KYGprlEr3m7jXaO3V08jAkEA0lPe/ymeS2HjxtCj
            98p6Xq4RjJuhG0Dn+4e4eRnoVAXs5SQaiByZImW451zm3qEjVWwufRBkSNBkwQ5a
            v7ApIwJBAILiRckSwcC97vug/oe0b8iISfuSnJRdE28WwMTRzOkkkG8v9pEVQnG5
            Er3WOGMLrywDs2wowaDk5dvkjkmPfrECQQCAhPtoU5gEXAaBABCRY0ou/JKApsBl
            FN4sFpykcy5B2XUN92e28DKqkBnSVjREqZYbpoUpqpB85coLJahSJWSdAkBeuWDJ
            IVyL/a54qUgTVCoiItJnxXw6WkUtGdvWnMjtTXJBedMAQVgznrTImXNSk5vVXhxJ
            wZ3frm2JIy/Es69M
            -----END PRIVATE KEY-----
            """;
    static final String SPEC_DATE = "Sun, 05 Jan 2014 21:31:40 GMT";
    static final Instant SPEC_TIME = Instant.parse("2014-01-05T21:31:40Z");
    static final byte[] SPEC_BODY = "{\"hello\": \"world\"}".getBytes(StandardCharsets.UTF_8);
    static final String SPEC_DIGEST = "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=";

    static SignedRequest specRequest(String signature) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("host", List.of("example.com"));
        h.put("date", List.of(SPEC_DATE));
        h.put("content-type", List.of("application/json"));
        h.put("digest", List.of(SPEC_DIGEST));
        h.put("content-length", List.of("18"));
        h.put("signature", List.of(signature));
        return new SignedRequest("POST", "/foo?param=value&pet=dog", "https", h, SPEC_BODY);
    }

    static SignatureVerifier verifierAt(Instant now) {
        return new SignatureVerifier(Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void theSpecsDigestIsTheBodysSha256() {
        assertThat(Digests.digestHeader(SPEC_BODY)).isEqualTo(SPEC_DIGEST);
        assertThat(Digests.digestMatches(SPEC_DIGEST, SPEC_BODY)).isTrue();
        assertThat(Digests.digestMatches(SPEC_DIGEST, "{}".getBytes())).isFalse();
        assertThat(Digests.digestMatches("MD5=abc", SPEC_BODY)).isFalse();
    }

    @Test
    void verifiesTheSpecsBasicAndDefaultTestVectors() throws Exception {
        PublicKey key = Keys.publicKey(SPEC_PUBLIC);
        String basic = "keyId=\"Test\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date\",signature=\""
                + "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0=\"";
        DraftCavage.Parameters p = DraftCavage.parse(basic);
        assertThat(p.keyId()).isEqualTo("Test");
        assertThat(p.headers()).containsExactly("(request-target)", "host", "date");
        assertThat(DraftCavage.signingString(p, specRequest(basic))).isEqualTo(
                "(request-target): post /foo?param=value&pet=dog\nhost: example.com\ndate: " + SPEC_DATE);
        assertThat(DraftCavage.verify(p, specRequest(basic), key)).isTrue();

        String dflt = "keyId=\"Test\",algorithm=\"rsa-sha256\",signature=\"SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz"
                + "6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaDV5lp7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM=\"";
        DraftCavage.Parameters d = DraftCavage.parse(dflt);
        assertThat(d.headers()).containsExactly("date");
        assertThat(DraftCavage.verify(d, specRequest(dflt), key)).isTrue();
        // The same signature over another date fails.
        SignedRequest otherDate = specRequest(dflt);
        otherDate.headers().put("date", List.of("Mon, 06 Jan 2014 21:31:40 GMT"));
        assertThat(DraftCavage.verify(d, otherDate, key)).isFalse();
    }

    @Test
    void signsAsMastodonDoesWithAValueOpensslComputed() {
        // openssl dgst -sha256 -sign over "(request-target) host date digest content-type" of the spec request.
        String expected = "Ev3r3NlHA8voF11N4uVMnCbbK/2gb3fPfc4J5orTSEv58rq7UCxn4EtsMEliFYRjaV6rotCAau8Uv2/cH/m5e/OhryWE7iU/"
                + "VnCU6LtGN7u+JUs+kw8BvPXu+KqL3y+7bH1Sdxo3W+KnkQlwKlt6TOIdsohAz7HrrpV5zWqHVIE=";
        Map<String, String> headers = DraftCavage.sign("POST", URI.create("https://example.com/foo?param=value&pet=dog"),
                "example.com", "application/json", SPEC_BODY, "https://example.com/users/test#main-key",
                Keys.privateKey(SPEC_PRIVATE), SPEC_TIME);
        assertThat(headers.get("Date")).isEqualTo(SPEC_DATE);
        assertThat(headers.get("Digest")).isEqualTo(SPEC_DIGEST);
        assertThat(headers.get("Signature")).isEqualTo("keyId=\"https://example.com/users/test#main-key\",algorithm=\"rsa-sha256\","
                + "headers=\"(request-target) host date digest content-type\",signature=\"" + expected + "\"");
    }

    @Test
    void aGetIsSignedOverRequestTargetHostAndDateOnly() throws Exception {
        Map<String, String> headers = DraftCavage.sign("GET", URI.create("https://example.com/users/a"), "example.com", null,
                new byte[0], "k", Keys.privateKey(SPEC_PRIVATE), SPEC_TIME);
        assertThat(headers).containsOnlyKeys("Date", "Signature");
        assertThat(DraftCavage.parse(headers.get("Signature")).headers()).containsExactly("(request-target)", "host", "date");
    }

    /** A request signed with {@code key} as {@link DraftCavage#sign} signs it, as the verifier reads it. */
    static SignedRequest signed(String method, String target, byte[] body, PrivateKey key, String keyId, Instant at) {
        Map<String, String> out = DraftCavage.sign(method, URI.create("https://example.com" + target), "example.com",
                body.length > 0 ? "application/activity+json" : null, body, keyId, key, at);
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("host", new ArrayList<>(List.of("example.com")));
        if (body.length > 0) {
            headers.put("content-type", new ArrayList<>(List.of("application/activity+json")));
        }
        out.forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), new ArrayList<>(List.of(v))));
        return new SignedRequest(method, target, "https", headers, body);
    }

    @Test
    void verifiesWhatItSignsAndNamesTheKey() throws Exception {
        KeyPair pair = rsa();
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        SignedRequest r = signed("POST", "/inbox", "{\"type\":\"Follow\"}".getBytes(), pair.getPrivate(),
                "https://remote.example/users/a#main-key", now);
        String keyId = verifierAt(now.plusSeconds(30)).verify(r, (id, refresh) -> Optional.of(pair.getPublic()));
        assertThat(keyId).isEqualTo("https://remote.example/users/a#main-key");
        // A path-style keyId works the same: the verifier only hands it to the key source.
        SignedRequest pathStyle = signed("GET", "/users/b", new byte[0], pair.getPrivate(), "https://remote.example/keys/1", now);
        assertThat(verifierAt(now).verify(pathStyle, (id, refresh) -> Optional.of(pair.getPublic())))
                .isEqualTo("https://remote.example/keys/1");
    }

    @Test
    void refusesTamperedBodiesOldDatesMissingDigestsAndOtherKeys() throws Exception {
        KeyPair pair = rsa();
        KeyPair other = rsa();
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        byte[] body = "{\"type\":\"Create\"}".getBytes();
        SignatureVerifier.KeySource keys = (id, refresh) -> Optional.of(pair.getPublic());

        SignedRequest tampered = signed("POST", "/inbox", body, pair.getPrivate(), "k", now);
        SignedRequest changedBody = new SignedRequest("POST", "/inbox", "https", tampered.headers(), "{\"type\":\"Delete\"}".getBytes());
        assertThatThrownBy(() -> verifierAt(now).verify(changedBody, keys)).isInstanceOf(SignatureRejected.class)
                .hasMessageContaining("Digest");

        SignedRequest old = signed("POST", "/inbox", body, pair.getPrivate(), "k", now.minusSeconds(12 * 3600 + 60));
        assertThatThrownBy(() -> verifierAt(now).verify(old, keys)).hasMessageContaining("12 hours");
        SignedRequest future = signed("POST", "/inbox", body, pair.getPrivate(), "k", now.plusSeconds(13 * 3600));
        assertThatThrownBy(() -> verifierAt(now).verify(future, keys)).hasMessageContaining("12 hours");
        SignedRequest withinWindow = signed("POST", "/inbox", body, pair.getPrivate(), "k", now.minusSeconds(11 * 3600));
        assertThat(verifierAt(now).verify(withinWindow, keys)).isEqualTo("k");

        // A GET-style signature (no digest) on a request with a body.
        SignedRequest noDigest = signed("GET", "/inbox", new byte[0], pair.getPrivate(), "k", now);
        SignedRequest withBody = new SignedRequest("POST", "/inbox", "https", noDigest.headers(), body);
        assertThatThrownBy(() -> verifierAt(now).verify(withBody, keys)).hasMessageContaining("digest");

        SignedRequest byOther = signed("GET", "/users/a", new byte[0], other.getPrivate(), "k", now);
        assertThatThrownBy(() -> verifierAt(now).verify(byOther, keys)).hasMessageContaining("does not verify");

        SignedRequest otherPath = signed("GET", "/users/a", new byte[0], pair.getPrivate(), "k", now);
        SignedRequest moved = new SignedRequest("GET", "/users/b", "https", otherPath.headers(), new byte[0]);
        assertThatThrownBy(() -> verifierAt(now).verify(moved, keys)).hasMessageContaining("does not verify");

        Map<String, List<String>> unsigned = new HashMap<>(Map.of("host", List.of("example.com")));
        assertThatThrownBy(() -> verifierAt(now).verify(new SignedRequest("GET", "/", "https", unsigned, new byte[0]), keys))
                .hasMessageContaining("not signed");
        Map<String, List<String>> garbage = new HashMap<>(Map.of("signature", List.of("keyId=\"k\",signature=\"%%%\"")));
        assertThatThrownBy(() -> verifierAt(now).verify(new SignedRequest("GET", "/", "https", garbage, new byte[0]), keys))
                .isInstanceOf(SignatureRejected.class);
    }

    @Test
    void fetchesTheKeyOnceMoreWhenItFailsForRotatedKeys() throws Exception {
        KeyPair oldKey = rsa();
        KeyPair newKey = rsa();
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        AtomicInteger refreshes = new AtomicInteger();
        SignatureVerifier.KeySource keys = (id, refresh) -> {
            if (refresh) {
                refreshes.incrementAndGet();
                return Optional.of(newKey.getPublic());
            }
            return Optional.of(oldKey.getPublic());
        };
        SignedRequest r = signed("GET", "/users/a", new byte[0], newKey.getPrivate(), "k", now);
        assertThat(verifierAt(now).verify(r, keys)).isEqualTo("k");
        assertThat(refreshes).hasValue(1);
        KeyPair stranger = rsa();
        SignedRequest bad = signed("GET", "/users/a", new byte[0], stranger.getPrivate(), "k", now);
        assertThatThrownBy(() -> verifierAt(now).verify(bad, keys)).isInstanceOf(SignatureRejected.class);
        assertThat(refreshes).hasValue(2);
    }

    @Test
    void verifiesRfc9421sEd25519TestVector() throws Exception {
        // RFC 9421 appendix B.1.4 (test-key-ed25519) and B.2.6.
        PublicKey key = Keys.ed25519(Base64.getUrlDecoder().decode("JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"));
        String input = "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");"
                + "created=1618884473;keyid=\"test-key-ed25519\"";
        String signature = "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("host", List.of("example.com"));
        h.put("date", List.of("Tue, 20 Apr 2021 02:07:55 GMT"));
        h.put("content-type", List.of("application/json"));
        h.put("content-digest", List.of("sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"));
        h.put("content-length", List.of("18"));
        h.put("signature-input", List.of(input));
        h.put("signature", List.of(signature));
        SignedRequest r = new SignedRequest("POST", "/foo?param=Value&Pet=dog", "https", h, SPEC_BODY);
        Rfc9421.Member m = Rfc9421.parse(input, signature).getFirst();
        assertThat(m.keyId()).isEqualTo("test-key-ed25519");
        assertThat(Rfc9421.base(m, r)).isEqualTo("""
                "date": Tue, 20 Apr 2021 02:07:55 GMT
                "@method": POST
                "@path": /foo
                "@authority": example.com
                "content-type": application/json
                "content-length": 18
                "@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");\
                created=1618884473;keyid="test-key-ed25519\"""");
        assertThat(Rfc9421.verify(m, r, key)).isTrue();
        assertThat(Digests.contentDigestMatches(h.get("content-digest").getFirst(), SPEC_BODY)).isTrue();
        // The vector signs no @method-and-target pair the verifier insists on, and it is five years old.
        assertThatThrownBy(() -> verifierAt(Instant.ofEpochSecond(1618884473)).verify(r, (id, x) -> Optional.of(key)))
                .isInstanceOf(SignatureRejected.class);
    }

    /** An RFC 9421 request signed here with rsa-v1_5-sha256, as Fedify signs its first knock. */
    static SignedRequest rfc9421Request(PrivateKey key, byte[] body, long created, String digest) throws Exception {
        String params = "(\"@method\" \"@target-uri\" \"content-digest\");alg=\"rsa-v1_5-sha256\";keyid=\"k\";created=" + created;
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("host", List.of("example.com"));
        h.put("content-digest", List.of(digest));
        SignedRequest unsigned = new SignedRequest("POST", "/inbox", "https", h, body);
        Rfc9421.Member m = Rfc9421.parse("sig1=" + params, "sig1=:AA==:").getFirst();
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(Rfc9421.base(m, unsigned).getBytes(StandardCharsets.UTF_8));
        h.put("signature-input", List.of("sig1=" + params));
        h.put("signature", List.of("sig1=:" + Base64.getEncoder().encodeToString(s.sign()) + ":"));
        return new SignedRequest("POST", "/inbox", "https", h, body);
    }

    @Test
    void verifiesRfc9421RsaSignaturesAndTheirContentDigest() throws Exception {
        KeyPair pair = rsa();
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        byte[] body = "{\"type\":\"Follow\"}".getBytes();
        String digest = "sha-256=:" + Base64.getEncoder().encodeToString(Digests.sha256(body)) + ":";
        SignatureVerifier.KeySource keys = (id, refresh) -> Optional.of(pair.getPublic());
        assertThat(verifierAt(now).verify(rfc9421Request(pair.getPrivate(), body, now.getEpochSecond(), digest), keys))
                .isEqualTo("k");
        SignedRequest r = rfc9421Request(pair.getPrivate(), body, now.getEpochSecond(), digest);
        SignedRequest otherBody = new SignedRequest("POST", "/inbox", "https", r.headers(), "{}".getBytes());
        assertThatThrownBy(() -> verifierAt(now).verify(otherBody, keys)).hasMessageContaining("Content-Digest");
        SignedRequest stale = rfc9421Request(pair.getPrivate(), body, now.getEpochSecond() - 13 * 3600, digest);
        assertThatThrownBy(() -> verifierAt(now).verify(stale, keys)).hasMessageContaining("12 hours");
        SignedRequest byOther = rfc9421Request(rsa().getPrivate(), body, now.getEpochSecond(), digest);
        assertThatThrownBy(() -> verifierAt(now).verify(byOther, keys)).hasMessageContaining("does not verify");
    }

    @Test
    void readsPkcs1AndSpkiPublicKeys() throws Exception {
        PublicKey spki = Keys.publicKey(SPEC_PUBLIC);
        byte[] der = spki.getEncoded();
        // SPKI for a 1024-bit key: a 22-byte header, then the PKCS#1 RSAPublicKey.
        String pkcs1 = Keys.pem("RSA PUBLIC KEY", java.util.Arrays.copyOfRange(der, 22, der.length));
        assertThat(Keys.publicKey(pkcs1)).isEqualTo(spki);
        assertThatThrownBy(() -> Keys.publicKey("not a key")).isInstanceOf(IllegalArgumentException.class);
        Keys.Pem generated = Keys.generateRsa();
        assertThat(Keys.publicKey(generated.publicKey()).getAlgorithm()).isEqualTo("RSA");
        assertThat(Keys.privateKey(generated.privateKey()).getAlgorithm()).isEqualTo("RSA");
    }

    static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }
}
