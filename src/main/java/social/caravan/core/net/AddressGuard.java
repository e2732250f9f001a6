package social.caravan.core.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import social.caravan.core.config.IpRange;

/**
 * Which addresses federation may reach. Anything a server on the public Internet could not be
 * (loopback, private, link-local, carrier-grade NAT, documentation, multicast, reserved) is refused
 * unless {@code CARAVAN_ALLOW_PRIVATE_ADDRESSES=true}: otherwise anyone could make Caravan call into
 * its own network by naming such an address as an actor or inbox.
 */
public final class AddressGuard {
    private static final List<IpRange> NOT_PUBLIC = IpRange.parseList("internal", String.join(",",
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
            "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
            "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8"));

    private final boolean allowPrivate;

    public AddressGuard(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    public boolean allowsPrivate() {
        return allowPrivate;
    }

    /** Whether a server on the public Internet could have this address. */
    public static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        if (address instanceof Inet6Address v6 && v6.isIPv4CompatibleAddress()) {
            return false;
        }
        for (IpRange range : NOT_PUBLIC) {
            if (range.contains(address)) {
                return false;
            }
        }
        return address instanceof Inet4Address || address instanceof Inet6Address;
    }

    /**
     * Resolves {@code host} and returns the addresses this guard lets us connect to, in the
     * resolver's order. Callers connect to these very addresses, never resolving the name again, so
     * a DNS answer cannot change between the check and the connection.
     *
     * @throws BlockedAddressException when the name has addresses but none is allowed
     * @throws UnknownHostException when it has none
     */
    public List<InetAddress> resolve(String host) throws UnknownHostException, BlockedAddressException {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] all = InetAddress.getAllByName(name);
        if (allowPrivate) {
            return List.of(all);
        }
        List<InetAddress> allowed = new ArrayList<>(all.length);
        for (InetAddress address : all) {
            if (isPublic(address)) {
                allowed.add(address);
            }
        }
        if (allowed.isEmpty()) {
            throw new BlockedAddressException(host);
        }
        return allowed;
    }
}
