package io.streamhelper.relay.app;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Every log line the relay wrote while attached, as its code formatted it, from any thread (the
 * message and its exception chain; before the layout's redaction, so a test sees what would leak).
 */
final class LogLines extends AppenderBase<ILoggingEvent> {
    final List<String> all = new CopyOnWriteArrayList<>();

    /** Starts capturing every logger's lines (the root logger's appenders see them all). */
    LogLines attach() {
        start();
        root().addAppender(this);
        return this;
    }

    void detach() {
        root().detachAppender(this);
    }

    /** The captured lines that contain {@code text}. */
    List<String> containing(String text) {
        return all.stream().filter(line -> line.contains(text)).toList();
    }

    @Override
    protected void append(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(event.getFormattedMessage());
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
        }
        all.add(line.toString());
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
