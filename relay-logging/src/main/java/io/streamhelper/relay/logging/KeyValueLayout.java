package io.streamhelper.relay.logging;

import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * One line per event, key=value, keys redacted:
 * <pre>ts=2025-05-01T12:00:00.123Z level=INFO thread=rtmp-ingest-3-1 logger=i.s.r.c.s.StreamRegistry event=publish_start stream=s1 destinations=2</pre>
 * Our own messages already start with {@code event=} and are written as they are; anything else
 * (Netty, Jetty, Javalin) becomes {@code msg="..."}. A stack trace is folded into
 * {@code exception="..."} with " | " between its lines, so a grep for one stream finds whole
 * events. Redaction runs on the raw message, exception and thread name before quoting, so the
 * patterns see text as it was written, and whatever library wrote it.
 */
public final class KeyValueLayout extends LayoutBase<ILoggingEvent> {
    private static final Pattern LINE_BREAKS = Pattern.compile("\\s*[\\r\\n]+\\s*");
    private final TargetLengthBasedClassNameAbbreviator abbreviator = new TargetLengthBasedClassNameAbbreviator(36);

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(160);
        line.append("ts=").append(Instant.ofEpochMilli(event.getTimeStamp()))
                .append(" level=").append(event.getLevel())
                .append(" thread=").append(bare(Redactor.redact(event.getThreadName())))
                .append(" logger=").append(abbreviator.abbreviate(event.getLoggerName()))
                .append(' ');
        String message = Redactor.redact(String.valueOf(event.getFormattedMessage()));
        if (message.startsWith("event=")) {
            line.append(fold(message));
        } else {
            line.append("msg=").append(quoted(message));
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.append(" exception=").append(quoted(Redactor.redact(ThrowableProxyUtil.asString(thrown))));
        }
        return line.append(CoreConstants.LINE_SEPARATOR).toString();
    }

    private static String fold(String text) {
        return LINE_BREAKS.matcher(text.strip()).replaceAll(" | ");
    }

    private static String quoted(String text) {
        return '"' + fold(text).replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** Thread names are values too: quoted only when a space would otherwise split them. */
    private static String bare(String text) {
        return text.indexOf(' ') < 0 && text.indexOf('"') < 0 ? text : quoted(text);
    }
}
