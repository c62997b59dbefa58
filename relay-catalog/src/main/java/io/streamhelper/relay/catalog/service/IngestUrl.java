package io.streamhelper.relay.catalog.service;

import io.streamhelper.relay.catalog.error.ServiceException.InvalidField;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Checks a destination's server URL, {@code rtmp[s]://host[:port]/app[/instance][?query]}, the way
 * the RTMP client will read it, so that a mistake is a 400 now rather than a failing relay later.
 */
final class IngestUrl {
    static final int MAX_LENGTH = 2048;

    private IngestUrl() {
    }

    /**
     * The trimmed URL, or an {@link InvalidField} naming {@code field}; also refused when it
     * carries a stream key ({@link KeysInUrls}), {@code streamKey} being the destination's own.
     */
    static URI check(String field, String value, Platform platform, String streamKey) {
        if (value == null || value.isBlank()) {
            throw new InvalidField(field, field + " is required");
        }
        String trimmed = value.trim();
        if (trimmed.length() > MAX_LENGTH) {
            throw new InvalidField(field, field + " must be at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new InvalidField(field, field + " is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("rtmp") && !scheme.equals("rtmps")) {
            throw new InvalidField(field, field + " must start with rtmp:// or rtmps://");
        }
        if (platform.rtmpsOnly() && !scheme.equals("rtmps")) {
            throw new InvalidField(field, platform.wireName() + " accepts RTMPS only: use an rtmps:// URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidField(field, field + " must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidField(field, KeysInUrls.PUT_IT_IN_STREAM_KEY);
        }
        if (uri.getRawFragment() != null) {
            throw new InvalidField(field, field + " must not contain a fragment");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("^/+|/+$", "");
        if (path.isEmpty()) {
            throw new InvalidField(field, field + " must include the application path, e.g. rtmp://host/app");
        }
        if (KeysInUrls.carriesKey(uri, streamKey)) {
            throw new InvalidField(field, KeysInUrls.PUT_IT_IN_STREAM_KEY);
        }
        return uri;
    }
}
