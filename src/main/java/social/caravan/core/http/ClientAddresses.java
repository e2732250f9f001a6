package social.caravan.core.http;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import social.caravan.core.config.IpRange;

/**
 * The client's address: the connection's peer, or, when that peer is a proxy listed in
 * TRUSTED_PROXY_IP, the nearest address in X-Forwarded-For that is not itself a trusted proxy.
 */
public final class ClientAddresses {
    private final List<IpRange> trustedProxies;

    public ClientAddresses(List<IpRange> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    public InetAddress of(Context ctx) {
        InetAddress peer = literal(ctx.req().getRemoteAddr());
        if (peer == null || !trusted(peer)) {
            return peer;
        }
        String forwarded = ctx.header("X-Forwarded-For");
        if (forwarded == null) {
            return peer;
        }
        String[] hops = forwarded.split(",");
        InetAddress client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop = literal(hops[i].trim());
            if (hop == null) {
                break;
            }
            client = hop;
            if (!trusted(hop)) {
                break;
            }
        }
        return client;
    }

    private boolean trusted(InetAddress address) {
        return trustedProxies.stream().anyMatch(range -> range.contains(address));
    }

    /** Parses an IP literal without ever asking DNS. */
    private static InetAddress literal(String text) {
        if (text == null || !IpRange.isLiteral(text)) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
