package io.streamhelper.relay.api;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;

/**
 * RELAY_MAX_BODY_BYTES for every request, however its body is sent. Javalin's own
 * {@code maxRequestSize} compares only Content-Length, so a chunked body (no length) was read
 * whole into memory by {@code ctx.body()}. Here a declared length over the limit is refused
 * before anything is read ({@link #checkDeclaredLength}, a Javalin {@code before} that runs for
 * every path, unknown ones too), and every body is read through a counting stream (the servlet
 * {@link Filter}) that fails on the first byte past the limit, so nothing past it is buffered.
 * Both throw {@link TooLarge}, which ApiServer's error mapping answers with 413 in JSON.
 */
final class BodyLimit implements Filter {
    /** The 413: an {@link HttpResponseException}, so it takes the same path as Javalin's own refusals. */
    static final class TooLarge extends HttpResponseException {
        TooLarge() {
            super(413, "request body is too large");
        }
    }

    /**
     * A body Jetty could not read: a broken chunked encoding, which Jetty 11 reports to the reader
     * as an early EOF, like a body cut short. Either way the client's fault: a 400 naming it, not
     * the empty 500 Javalin gives an EofException. (A client that has gone never reads it.)
     */
    static final class Malformed extends HttpResponseException {
        Malformed() {
            super(400, "request body could not be read: bad chunked encoding, or it ended early");
        }
    }

    private final long maxBytes;

    BodyLimit(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0");
        }
        this.maxBytes = maxBytes;
    }

    void checkDeclaredLength(Context ctx) {
        if (ctx.req().getContentLengthLong() > maxBytes) {
            throw new TooLarge();
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(new Bounded((HttpServletRequest) request, maxBytes), response);
    }

    /** The request with its input stream (and reader) counted. */
    private static final class Bounded extends HttpServletRequestWrapper {
        private final long maxBytes;
        private CountingStream stream; // one per request, on the request's own thread

        Bounded(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new CountingStream(super.getInputStream(), maxBytes);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }

    /** Reads at most one byte past the limit from the connection, then fails. */
    private static final class CountingStream extends ServletInputStream {
        private final ServletInputStream in;
        private final long maxBytes;
        private long count;

        CountingStream(ServletInputStream in, long maxBytes) {
            this.in = in;
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            // Ask for no more than one byte past the limit: that byte proves the body is too large.
            int wanted = (int) Math.min(length, maxBytes - count + 1);
            int n;
            try {
                n = in.read(buffer, offset, wanted);
            } catch (IOException e) {
                if (e.getCause() instanceof TimeoutException) {
                    throw e; // Jetty's idle timeout: Javalin knows this one
                }
                throw new Malformed();
            }
            if (n > 0) {
                count += n;
                if (count > maxBytes) {
                    throw new TooLarge();
                }
            }
            return n;
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }
    }
}
