package social.caravan.core.net;

import java.io.IOException;

/** A host that resolves only to addresses federation must not reach (see {@link AddressGuard}). */
public final class BlockedAddressException extends IOException {
    public BlockedAddressException(String host) {
        super(host + " resolves only to non-public addresses");
    }
}
