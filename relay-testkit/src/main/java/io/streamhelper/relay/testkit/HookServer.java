package io.streamhelper.relay.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Receives nginx-rtmp's HTTP notifications (on_publish, on_publish_done): the destinations' own
 * account of who published there and when it ended. Can make on_publish refuse a stream name,
 * which is how a test gets a destination that rejects a key.
 */
public final class HookServer implements AutoCloseable {
    /** One notification: call is nginx's "call" field (publish, publish_done), name the stream name. */
    public record HookCall(String call, String app, String name, Map<String, String> fields) {
    }

    private final HttpServer server;
    private final List<HookCall> calls = new CopyOnWriteArrayList<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    public HookServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> fields = parseForm(body);
        String call = fields.getOrDefault("call", exchange.getRequestURI().getPath().replace("/", ""));
        HookCall hook = new HookCall(call, fields.get("app"), fields.get("name"), fields);
        calls.add(hook);
        int status = "publish".equals(call) && refused.contains(hook.name()) ? 403 : 200;
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            fields.put(key, value);
        }
        return fields;
    }

    public List<HookCall> calls() {
        return List.copyOf(calls);
    }

    public List<HookCall> calls(String call) {
        return calls.stream().filter(c -> call.equals(c.call())).toList();
    }

    /** Whether nginx reported this call for this stream name. */
    public boolean saw(String call, String name) {
        return calls.stream().anyMatch(c -> call.equals(c.call()) && name.equals(c.name()));
    }

    /** From now on, on_publish for this stream name answers 403 and nginx drops the publisher. */
    public void refuse(String name) {
        refused.add(name);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
