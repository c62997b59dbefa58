package io.streamhelper.relay.api;

import io.javalin.http.Context;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who the client is: the TCP peer, unless that peer is one of the reverse proxies the operator
 * trusts ({@code RELAY_TRUSTED_PROXIES}); then the address the proxies say they were talking to,
 * from {@code X-Forwarded-For} or, when that header is absent, RFC 7239 {@code Forwarded: for=}.
 *
 * <p>The header is read from the right: each trusted proxy appends the address it saw, so the
 * right-most entries are the ones our own proxies wrote, and the first entry (from the right)
 * that is not a trusted proxy is the client. Anything further left was written by the client
 * itself and is never believed, so prepending a fake address changes nothing. An entry that is
 * not an address ({@code unknown}, an obfuscated identifier, garbage) stops the walk at the last
 * hop we trust: that hop could only vouch for who talked to it.
 *
 * <p>X-Forwarded-For wins when both headers are present: the proxy in docs/deployment.md appends
 * to it and passes a client's own {@code Forwarded} through untouched, so that one is the
 * client's to invent. A proxy that writes only {@code Forwarded} must drop X-Forwarded-For.
 *
 * <p>Resolved once per request (in ApiServer's {@code beforeMatched}) and stored on the request:
 * the rate limit, the login throttle and log lines all read {@link #of(Context)}.
 */
public final class ClientAddressResolver {
    static final String ATTRIBUTE = "relay.client-address";

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    /** More hops than any real chain of proxies; the rest of a longer header is never looked at. */
    private static final int MAX_HOPS = 32;

    /** An address block, {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a block of one. */
    private record Network(byte[] prefix, int bits) {
        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (prefix[full] & mask);
        }
    }

    private final List<Network> trusted;

    private ClientAddressResolver(List<Network> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /** Trusts nobody: the client is always the TCP peer, forwarding headers are ignored. */
    public static ClientAddressResolver direct() {
        return new ClientAddressResolver(List.of());
    }

    /**
     * Trusts the proxies in a comma-separated list of addresses and CIDR blocks, IPv4 or IPv6
     * ({@code "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8"}); blank trusts nobody.
     *
     * @throws IllegalArgumentException naming the entry that is not an address or block
     */
    public static ClientAddressResolver trusting(String list) {
        List<Network> networks = new ArrayList<>();
        for (String raw : list == null ? new String[0] : list.split(",", -1)) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            networks.add(network(entry));
        }
        return new ClientAddressResolver(networks);
    }

    /** Whether any proxy is trusted at all. */
    public boolean trustsAnyProxy() {
        return !trusted.isEmpty();
    }

    /** Resolves the request's client address and stores it on the request for {@link #of}. */
    void resolve(Context ctx) {
        ctx.attribute(ATTRIBUTE, resolve(ctx.req().getRemoteAddr(),
                headers(ctx, "X-Forwarded-For"), headers(ctx, "Forwarded")));
    }

    /** The client address resolved for this request (the TCP peer when nothing resolved it). */
    static String of(Context ctx) {
        String address = ctx.attribute(ATTRIBUTE);
        return address != null ? address : canonical(ctx.req().getRemoteAddr());
    }

    /**
     * The client address, in canonical form (IPv6 compressed as RFC 5952 writes it), given the
     * TCP peer and every line of the two headers in the order received.
     */
    String resolve(String peer, List<String> xForwardedFor, List<String> forwarded) {
        InetAddress hop = hostAddress(peer);
        if (hop == null) {
            return peer == null ? "" : peer; // not an IP peer (a Unix socket in a test): nothing to resolve
        }
        if (!isTrusted(hop)) {
            return text(hop);
        }
        List<String> chain = xForwardedFor.isEmpty() ? forwardedFor(forwarded) : split(xForwardedFor);
        for (int i = chain.size() - 1; i >= 0 && i >= chain.size() - MAX_HOPS; i--) {
            InetAddress next = hostAddress(chain.get(i));
            if (next == null) {
                break; // "unknown", obfuscated or garbage: believe no further than the last trusted hop
            }
            hop = next;
            if (!isTrusted(hop)) {
                break;
            }
        }
        return text(hop);
    }

    private boolean isTrusted(InetAddress address) {
        for (Network n : trusted) {
            if (n.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> headers(Context ctx, String name) {
        var values = ctx.req().getHeaders(name);
        return values == null ? List.of() : Collections.list(values);
    }

    /** X-Forwarded-For lines joined in order, split at commas. */
    private static List<String> split(List<String> lines) {
        List<String> entries = new ArrayList<>();
        for (String line : lines) {
            for (String entry : line.split(",", -1)) {
                entries.add(entry.trim());
            }
        }
        return entries;
    }

    /**
     * The {@code for=} value of each element of {@code Forwarded} (RFC 7239), in order; an element
     * without one is an unknown hop (an empty string). Commas and semicolons inside quoted
     * strings do not split.
     */
    static List<String> forwardedFor(List<String> lines) {
        List<String> values = new ArrayList<>();
        for (String line : lines) {
            for (String element : splitOutsideQuotes(line, ',')) {
                String value = "";
                for (String pair : splitOutsideQuotes(element, ';')) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
                        value = unquote(pair.substring(eq + 1).trim());
                    }
                }
                values.add(value);
            }
        }
        return values;
    }

    private static List<String> splitOutsideQuotes(String s, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < s.length()) {
                current.append(c);
                c = s.charAt(++i);
            } else if (c == separator && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        parts.add(current.toString());
        return parts;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1).replace("\\", "");
        }
        return value;
    }

    /**
     * The address of a header entry or peer: {@code 192.0.2.1}, {@code 192.0.2.1:4711},
     * {@code 2001:db8::1}, {@code [2001:db8::1]}, {@code [2001:db8::1]:4711}; null for anything
     * else. Never looks a name up in DNS.
     */
    static InetAddress hostAddress(String entry) {
        if (entry == null) {
            return null;
        }
        String s = unquote(entry.trim());
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || !(close == s.length() - 1 || port(s.substring(close + 1)))) {
                return null;
            }
            String inside = s.substring(1, close);
            return inside.contains(":") ? literal(inside) : null;
        }
        int colon = s.indexOf(':');
        if (colon > 0 && colon == s.lastIndexOf(':')) {
            // One colon: an IPv4 address with a port, as some proxies write it.
            return port(s.substring(colon)) ? ipv4(s.substring(0, colon)) : null;
        }
        return literal(s);
    }

    private static boolean port(String suffix) {
        return suffix.matches(":\\d{1,5}") && Integer.parseInt(suffix.substring(1)) <= 65535;
    }

    /** An IPv4 or IPv6 literal (no brackets, no port, no zone), or null; no DNS. */
    private static InetAddress literal(String s) {
        if (s.indexOf(':') < 0) {
            return ipv4(s);
        }
        // Only hex digits, colons and dots, starting with a hex digit or a colon: InetAddress
        // then parses it as an IPv6 literal and never treats it as a host name.
        if (!IPV6_CHARS.matcher(s).matches() || !(Character.digit(s.charAt(0), 16) >= 0 || s.charAt(0) == ':')) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static InetAddress ipv4(String s) {
        Matcher m = IPV4.matcher(s);
        if (!m.matches()) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int part = Integer.parseInt(m.group(i + 1));
            if (part > 255) {
                return null;
            }
            bytes[i] = (byte) part;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    private static Network network(String entry) {
        int slash = entry.indexOf('/');
        String addressPart = slash < 0 ? entry : entry.substring(0, slash);
        InetAddress address = addressPart.startsWith("[") && addressPart.endsWith("]")
                ? literal(addressPart.substring(1, addressPart.length() - 1)) : literal(addressPart);
        if (address == null) {
            throw new IllegalArgumentException("'" + entry + "' is not an IPv4 or IPv6 address or CIDR block");
        }
        int max = address.getAddress().length * 8;
        int bits = max;
        if (slash >= 0) {
            String suffix = entry.substring(slash + 1);
            if (!suffix.matches("\\d{1,3}") || Integer.parseInt(suffix) > max) {
                throw new IllegalArgumentException("'" + entry + "' has a prefix length that is not 0 to " + max);
            }
            bits = Integer.parseInt(suffix);
        }
        return new Network(address.getAddress(), bits);
    }

    private static String canonical(String peer) {
        InetAddress a = hostAddress(peer);
        return a == null ? String.valueOf(peer) : text(a);
    }

    /** IPv4 dotted; IPv6 lower case with the longest run of zero groups written {@code ::} (RFC 5952). */
    static String text(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLength - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(groups[i]));
        }
        return s.toString();
    }
}
