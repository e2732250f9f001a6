package social.caravan.core.config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** An address or CIDR block, such as {@code 10.0.0.0/8} or {@code ::1}. */
public record IpRange(byte[] network, int prefixLength) {

    public static List<IpRange> parseList(String variable, String value) {
        List<IpRange> ranges = new ArrayList<>();
        for (String part : value.split("[,\\s]+")) {
            if (!part.isBlank()) {
                ranges.add(parse(variable, part.trim()));
            }
        }
        return List.copyOf(ranges);
    }

    static IpRange parse(String variable, String text) {
        String[] parts = text.split("/", 2);
        if (!isLiteral(parts[0])) {
            throw new ConfigException(variable, "must list IP addresses or CIDR ranges (got \"" + text + "\")");
        }
        try {
            byte[] address = InetAddress.getByName(parts[0]).getAddress();
            int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
            if (prefix < 0 || prefix > address.length * 8) {
                throw new ConfigException(variable, "has a bad prefix length in \"" + text + "\"");
            }
            return new IpRange(address, prefix);
        } catch (NumberFormatException | java.net.UnknownHostException e) {
            throw new ConfigException(variable, "must list IP addresses or CIDR ranges (got \"" + text + "\")");
        }
    }

    /** An IPv4 dotted quad or an IPv6 literal: text that InetAddress parses without asking DNS. */
    public static boolean isLiteral(String text) {
        return text.matches("\\d{1,3}(\\.\\d{1,3}){3}") || text.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int bits = network.length * 8;
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .shiftRight(prefixLength).not().and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
        return new BigInteger(1, candidate).and(mask).equals(new BigInteger(1, network).and(mask));
    }
}
