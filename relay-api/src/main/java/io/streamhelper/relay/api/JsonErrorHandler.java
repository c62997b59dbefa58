package io.streamhelper.relay.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * What Jetty itself answers before (or instead of) Javalin: requests its parser refuses
 * (malformed URI or percent-encoding, illegal characters, headers too large, unknown HTTP
 * version, conflicting lengths) and errors raised outside Javalin's handlers. Jetty's default is
 * an HTML page; the API answers {@code {"error": "..."}} in JSON like every other refusal.
 * Jetty's reason is kept (it names the problem) but cut short and limited to printable ASCII,
 * since a reason may carry a character of the request.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CONTENT_TYPE = "application/json";

    JsonErrorHandler() {
        setShowStacks(false);
        setShowServlet(false);
    }

    /** Errors on any method get a body, not only GET, POST and HEAD (Jetty's default). */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    /** Refusals by the HTTP parser, before a request exists. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
        return ByteBuffer.wrap(body(status, reason));
    }

    /** Errors of a request that got as far as the servlet container (sendError, an escaped exception). */
    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
            HttpServletResponse response, int code, String message) throws IOException {
        baseRequest.setHandled(true);
        response.setContentType(CONTENT_TYPE);
        byte[] body = body(code, message);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    static byte[] body(int status, String reason) {
        try {
            return JSON.writeValueAsBytes(Views.error(message(status, reason)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a map of two strings always serializes
        }
    }

    static String message(int status, String reason) {
        String base = switch (status) {
            case 400 -> "bad request";
            case 413 -> "request body is too large";
            case 414 -> "request URI is too long";
            case 431 -> "request headers are too large";
            case 505 -> "HTTP version not supported";
            default -> "request refused (" + status + ")";
        };
        String detail = safe(reason);
        boolean adds = !detail.isEmpty() && !detail.equalsIgnoreCase(base)
                && !detail.equalsIgnoreCase(HttpStatus.getMessage(status));
        return adds ? base + ": " + detail : base;
    }

    private static String safe(String reason) {
        if (reason == null) {
            return "";
        }
        String cut = reason.length() > 80 ? reason.substring(0, 80) : reason;
        return cut.replaceAll("[^\\x20-\\x7E]", "?").trim();
    }
}
