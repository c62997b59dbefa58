package io.streamhelper.relay.api;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the RTMPS certificate stands at one moment, as the health check tells it: OK, EXPIRING
 * (under the warning period left: a renewal that did not happen) or EXPIRED (clients that check
 * the certificate, OBS among them, are refused). {@code daysLeft} is whole days rounded down, as
 * the ingest's {@code event=tls_certificate_expiring days_left=} says it: 0 on the last day,
 * negative once expired.
 */
record RtmpsExpiry(Instant notAfter, long daysLeft, State state) {
    enum State { OK, EXPIRING, EXPIRED }

    static RtmpsExpiry at(Instant now, Instant notAfter, Duration warnBefore) {
        Duration left = Duration.between(now, notAfter);
        State state = !left.isNegative() && !left.isZero() ? (left.compareTo(warnBefore) < 0 ? State.EXPIRING : State.OK) : State.EXPIRED;
        return new RtmpsExpiry(notAfter, Math.floorDiv(left.toSeconds(), Duration.ofDays(1).toSeconds()), state);
    }

    /** The health body's {@code rtmps} object. */
    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("certificateExpiresAt", notAfter.toString());
        json.put("daysLeft", daysLeft);
        json.put("status", state.name());
        return json;
    }

    /** What the health body's {@code warnings} says, or null when OK. */
    String warning() {
        return switch (state) {
            case OK -> null;
            case EXPIRING -> "the RTMPS certificate expires in " + daysLeft + " days (" + notAfter + "): renew it";
            case EXPIRED -> "the RTMPS certificate expired at " + notAfter + ": RTMPS publishers that check it are refused";
        };
    }
}
