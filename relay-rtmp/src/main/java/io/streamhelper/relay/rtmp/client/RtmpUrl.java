package io.streamhelper.relay.rtmp.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A destination server address, {@code rtmp[s]://host[:port]/app[/instance][?query]}, without the
 * stream key (which is published separately). The application is the whole path, query
 * included, as librtmp and OBS send it (YouTube's backup ingest is {@code live2?backup=1}).
 */
public record RtmpUrl(boolean secure, String host, int port, String app, String tcUrl) {

    public static RtmpUrl parse(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed RTMP URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean secure;
        switch (scheme) {
            case "rtmp" -> secure = false;
            case "rtmps" -> secure = true;
            default -> throw new IllegalArgumentException("URL scheme must be rtmp or rtmps, not '" + scheme + "'");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("RTMP URL has no host");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 1935;
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.isEmpty()) {
            throw new IllegalArgumentException("RTMP URL has no application path");
        }
        String app = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        String authority = uri.getPort() > 0 ? host + ":" + uri.getPort() : host;
        if (host.contains(":")) {
            authority = uri.getPort() > 0 ? "[" + host + "]:" + uri.getPort() : "[" + host + "]";
        }
        String tcUrl = scheme + "://" + authority + "/" + app;
        return new RtmpUrl(secure, host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port, app, tcUrl);
    }
}
