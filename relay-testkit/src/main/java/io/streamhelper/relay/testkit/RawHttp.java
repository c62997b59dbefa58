package io.streamhelper.relay.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 over a plain socket, for the requests an HTTP client library will not send: malformed
 * request lines and URIs, oversized headers, and chunked bodies of hundreds of MiB generated on
 * the fly (never held in memory) while the response is read at the same time, so a server that
 * answers before the body ends is seen doing so.
 */
public final class RawHttp {
    /** A response: status, headers (names lower-cased), body as text. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A response to a streamed body, and how many body bytes had been written when it began to arrive. */
    public record Streamed(Response response, long bytesSentBeforeResponse, long bodyBytes) {
    }

    private static final int TIMEOUT_MS = 60_000;

    private RawHttp() {
    }

    /** Sends {@code request} as it is and reads one response. */
    public static Response exchange(int port, byte[] request) throws IOException {
        try (Socket socket = connect(port)) {
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return read(socket.getInputStream(), null);
        }
    }

    public static Response exchange(int port, String request) throws IOException {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Sends {@code head} (request line and headers, without the blank line) with
     * {@code Transfer-Encoding: chunked} and a body of {@code bodyBytes} bytes ({@code {"email":"aaaa...}),
     * written in 64 KiB chunks from a second thread while this one reads the response. Writing
     * stops when the response begins or the server closes the connection.
     */
    public static Streamed chunked(int port, String head, long bodyBytes) throws Exception {
        return chunked(port, head, bodyBytes, Long.MAX_VALUE);
    }

    /**
     * As {@link #chunked(int, String, long)}, but once {@code pauseAfter} bytes are written the
     * writer waits (up to 10 s) for the response to begin: a server that answers only after the
     * whole body shows it with {@code bytesSentBeforeResponse == bodyBytes}, whatever the
     * scheduling and socket buffers.
     */
    public static Streamed chunked(int port, String head, long bodyBytes, long pauseAfter) throws Exception {
        try (Socket socket = connect(port)) {
            OutputStream out = socket.getOutputStream();
            out.write((head + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            AtomicLong sent = new AtomicLong();
            AtomicLong sentAtResponse = new AtomicLong(-1);
            CountDownLatch responded = new CountDownLatch(1);
            Thread writer = new Thread(() -> writeChunks(out, bodyBytes, pauseAfter, sent, sentAtResponse, responded),
                    "raw-http-chunked-writer");
            writer.setDaemon(true);
            writer.start();
            Response response;
            try {
                response = read(socket.getInputStream(), () -> {
                    sentAtResponse.compareAndSet(-1, sent.get());
                    responded.countDown();
                });
            } finally {
                sentAtResponse.compareAndSet(-1, sent.get());
                responded.countDown();
                socket.close(); // stops a writer still blocked on a full socket buffer
                writer.join(TIMEOUT_MS);
            }
            return new Streamed(response, sentAtResponse.get(), bodyBytes);
        }
    }

    private static void writeChunks(OutputStream out, long bodyBytes, long pauseAfter, AtomicLong sent,
            AtomicLong sentAtResponse, CountDownLatch responded) {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'a');
        byte[] prefix = "{\"email\":\"".getBytes(StandardCharsets.US_ASCII);
        try {
            long left = bodyBytes;
            boolean first = true;
            while (left > 0 && sentAtResponse.get() < 0) {
                int n = (int) Math.min(chunk.length, left);
                if (first) {
                    System.arraycopy(prefix, 0, chunk, 0, Math.min(prefix.length, n));
                }
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk, 0, n);
                out.write('\r');
                out.write('\n');
                if (first) {
                    Arrays.fill(chunk, 0, prefix.length, (byte) 'a');
                    first = false;
                }
                left -= n;
                if (sent.addAndGet(n) >= pauseAfter && sent.get() - n < pauseAfter) {
                    out.flush();
                    responded.await(10, TimeUnit.SECONDS);
                }
            }
            if (left == 0) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException closedByServer) {
            // the server answered and closed the connection: the point of the exercise
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(TIMEOUT_MS);
        return socket;
    }

    /** Reads the status line, headers and a body of Content-Length bytes (or up to the close). */
    private static Response read(InputStream in, Runnable onFirstByte) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        boolean first = true;
        while ((b = in.read()) >= 0) {
            if (first && onFirstByte != null) {
                onFirstByte.run();
            }
            first = false;
            head.write(b);
            byte[] soFar = head.toByteArray();
            int n = soFar.length;
            if (n >= 4 && soFar[n - 4] == '\r' && soFar[n - 3] == '\n' && soFar[n - 2] == '\r' && soFar[n - 1] == '\n') {
                break;
            }
            if (n > 64 * 1024) {
                throw new IOException("response head over 64 KiB");
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        if (lines.length == 0 || !lines[0].startsWith("HTTP/1.")) {
            throw new IOException("no HTTP response, got: " + head.toString(StandardCharsets.ISO_8859_1));
        }
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body;
        String length = headers.get("content-length");
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                line(in);
                return body.toByteArray();
            }
            body.write(in.readNBytes(n));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
