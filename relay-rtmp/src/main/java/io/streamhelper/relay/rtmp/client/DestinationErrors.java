package io.streamhelper.relay.rtmp.client;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.streamhelper.relay.engine.destination.DestinationFailure;
import io.streamhelper.relay.engine.destination.DestinationRejectedException;
import io.streamhelper.relay.engine.destination.DestinationTarget;
import io.streamhelper.relay.engine.secret.SecretDecryptionException;
import io.streamhelper.relay.rtmp.handshake.HandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns why a destination's connection failed into what its owner may see. The owner chose the
 * address, so anything the remote sent (a first byte, a TLS record dumped as hex, a certificate's
 * names, a status string) would make destinations a port scanner and banner reader: the failure
 * is named in the relay's own words instead, and the detail goes to the operator's log only.
 */
final class DestinationErrors {
    private static final Logger log = LoggerFactory.getLogger(DestinationErrors.class);
    /** What an RTMP status code looks like (NetStream.Publish.BadName); anything else is not shown. */
    private static final Pattern STATUS_CODE = Pattern.compile("Net(Stream|Connection|Group)(\\.[A-Za-z]{1,32}){1,4}");

    private DestinationErrors() {
    }

    /**
     * The cause to report: itself when its message is the relay's own words or the local system's
     * (refusals we inferred, our timeouts, a name that does not resolve, a reset), otherwise a
     * {@link DestinationFailure} in fixed words with the original as its cause.
     */
    static Throwable shown(DestinationTarget target, Throwable cause) {
        if (cause == null || cause instanceof DestinationRejectedException || cause instanceof TimeoutException
                || cause instanceof DestinationFailure) {
            return cause;
        }
        String words = words(cause);
        if (words == null) {
            return cause;
        }
        log.info("event=destination_error destination={} shown=\"{}\" detail=\"{}\"", target.id(), words,
                target.streamKey().redact(String.valueOf(cause)));
        return new DestinationFailure(words, cause);
    }

    /** The status code a server answered, when it has the shape of one; never free text from it. */
    static String statusCode(String code) {
        return STATUS_CODE.matcher(code).matches() ? code : code.isEmpty() ? "" : "an unrecognised status code";
    }

    private static String words(Throwable cause) {
        if (has(cause, HandshakeException.class)) {
            return "the server did not answer the RTMP handshake (not an RTMP ingest at this address and port)";
        }
        if (has(cause, NotSslRecordException.class)) {
            return "the server did not answer the TLS handshake (not an rtmps:// ingest at this address and port)";
        }
        if (has(cause, SSLException.class)) {
            return has(cause, CertificateException.class)
                    ? "the server's TLS certificate was refused (not trusted, expired, or not for this host name)"
                    : "the TLS handshake with the server failed";
        }
        if (has(cause, ConnectTimeoutException.class)) {
            return "connection timed out";
        }
        if (has(cause, NoRouteToHostException.class)) {
            return "no route to the server";
        }
        if (has(cause, ConnectException.class)) {
            String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            return message.contains("refused") ? "connection refused"
                    : message.contains("unreachable") ? "the server's network is unreachable" : "could not connect";
        }
        if (has(cause, DecoderException.class)) {
            return "the server sent data that is not valid RTMP";
        }
        if (has(cause, SecretDecryptionException.class)) {
            return "the destination's stored stream key could not be decrypted (see the relay's log)";
        }
        if (cause instanceof UnknownHostException || cause instanceof IOException) {
            return null; // the resolver's or the socket's own words ("connection reset"), or ours
        }
        return "the connection to the server failed";
    }

    private static boolean has(Throwable cause, Class<? extends Throwable> type) {
        for (Throwable c = cause; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
