package social.caravan.core.signatures;

/** Why an inbound request's signature was not accepted; the request is answered 401. */
public final class SignatureRejected extends Exception {
    public SignatureRejected(String reason) {
        super(reason);
    }
}
