package social.caravan.federation;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import social.caravan.accounts.Account;
import social.caravan.core.http.ApiException;
import social.caravan.core.signatures.SignatureRejected;
import social.caravan.core.signatures.SignatureVerifier;
import social.caravan.core.signatures.SignedRequest;

/**
 * Who signed an inbound request: verifies draft-cavage or RFC 9421 signatures with the keys of remote
 * accounts ({@link RemoteAccounts#publicKey}, refetched once on failure) and answers 401 with
 * Mastodon's error body to anything it cannot verify, so peers that try RFC 9421 first fall back.
 */
public final class SignedRequests {
    private static final Logger log = LoggerFactory.getLogger(SignedRequests.class);

    private final SignatureVerifier verifier;
    private final RemoteAccounts remote;
    private final DomainBlocks domainBlocks;
    private final String scheme;

    public SignedRequests(SignatureVerifier verifier, RemoteAccounts remote, DomainBlocks domainBlocks, boolean https) {
        this.verifier = verifier;
        this.remote = remote;
        this.domainBlocks = domainBlocks;
        this.scheme = https ? "https" : "http";
    }

    /** The request as the verifier reads it: raw target, headers by lower-case name, the body as sent. */
    public SignedRequest of(Context ctx) {
        String query = ctx.queryString();
        String target = ctx.req().getRequestURI() + (query == null ? "" : "?" + query);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(ctx.req().getHeaderNames())) {
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .addAll(Collections.list(ctx.req().getHeaders(name)));
        }
        return new SignedRequest(ctx.method().name(), target, scheme, headers, ctx.bodyAsBytes());
    }

    /** The remote account that signed; empty for an unsigned request; 401 for a signature that fails. */
    public Optional<Account> signer(Context ctx) {
        SignedRequest request = of(ctx);
        if (!SignatureVerifier.isSigned(request)) {
            return Optional.empty();
        }
        return Optional.of(verify(request));
    }

    /** The remote account that signed, or 401 (unsigned or unverifiable): inboxes and authorized fetch. */
    public Account requireSigner(Context ctx) {
        SignedRequest request = of(ctx);
        if (!SignatureVerifier.isSigned(request)) {
            throw new ApiException(401, "Request not signed");
        }
        return verify(request);
    }

    /** Verifies a request already read (stage B's inbox reads the body once and passes it here). */
    public Account verify(SignedRequest request) {
        String keyId;
        try {
            keyId = verifier.verify(request, (id, refresh) -> remote.publicKey(id, refresh));
        } catch (SignatureRejected e) {
            log.debug("signature rejected on {} {}: {}", request.method(), request.target(), e.getMessage());
            throw new ApiException(401, "Verification failed: " + e.getMessage());
        }
        Account signer = remote.accountForKey(keyId, false)
                .orElseThrow(() -> new ApiException(401, "Verification failed: unknown key " + keyId));
        if (domainBlocks.isSuspended(signer.domain())) {
            throw new ApiException(401, "Verification failed: the signer's domain is suspended");
        }
        return signer;
    }
}
