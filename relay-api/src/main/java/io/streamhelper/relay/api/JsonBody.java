package io.streamhelper.relay.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.streamhelper.relay.catalog.error.ServiceException.InvalidField;
import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A request's JSON object, read strictly: unknown fields, wrong types and malformed JSON are each
 * a 400 naming the field, never a 500. Values are never echoed in errors (a field may be a key).
 */
final class JsonBody {
    /**
     * Strict: one JSON value and nothing after it ({@code {"name":"x"} xyz} was taken as the
     * object; {@link #parse} checks, rather than FAIL_ON_TRAILING_TOKENS, to say so), and no
     * key twice (which of the two would win is a guess a client should not make).
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    /** Ids are ASCII digits: Long.parseLong also takes '+' and other scripts' digits ("١" is 1). */
    private static final Pattern ID = Pattern.compile("[0-9]{1,19}");

    private final ObjectNode node;

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    /** Parses the body and refuses any field not in {@code allowed}. */
    static JsonBody of(Context ctx, Set<String> allowed) {
        String text = ctx.body();
        JsonNode parsed = text.isBlank() ? null : parse(text);
        if (!(parsed instanceof ObjectNode object)) {
            throw new InvalidField("body", "request body must be a JSON object");
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new InvalidField(safeName(name), "unknown field '" + safeName(name) + "'; allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
        return new JsonBody(object);
    }

    /** One JSON value, then nothing but white space. */
    private static JsonNode parse(String text) {
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonNode value = MAPPER.readTree(parser);
            boolean more;
            try {
                more = parser.nextToken() != null;
            } catch (JsonParseException garbage) { // "xyz" after the object is not even a token
                more = true;
            }
            if (more) {
                throw new InvalidField("body", "request body is not valid JSON: data after the JSON value");
            }
            return value;
        } catch (JsonParseException e) {
            String message = e.getOriginalMessage();
            throw new InvalidField("body", message != null && message.startsWith("Duplicate field")
                    ? "request body is not valid JSON: a field appears twice"
                    : "request body is not valid JSON");
        } catch (IOException e) { // JsonProcessingException (a mapping error); a String source does no real I/O
            throw new InvalidField("body", "request body is not valid JSON");
        }
    }

    String requiredString(String field) {
        return optionalString(field).orElseThrow(() -> new InvalidField(field, field + " is required"));
    }

    Optional<String> optionalString(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new InvalidField(field, field + " must be a string");
        }
        return Optional.of(value.textValue());
    }

    Optional<Boolean> optionalBoolean(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isBoolean()) {
            throw new InvalidField(field, field + " must be true or false");
        }
        return Optional.of(value.booleanValue());
    }

    /**
     * A non-empty array of strings: empty when the field is absent, an empty list inside when it
     * is JSON null (the default: for updates, back to it), the strings otherwise. At most
     * {@code max} of them; an empty array is refused (it would mean that nothing is accepted).
     */
    Optional<java.util.List<String>> nullableStringList(String field, int max) {
        JsonNode value = node.get(field);
        if (value == null) {
            return Optional.empty();
        }
        if (value.isNull()) {
            return Optional.of(java.util.List.of());
        }
        if (!value.isArray() || value.size() > max) {
            throw new InvalidField(field, field + " must be an array of at most " + max + " strings, or null");
        }
        java.util.List<String> strings = new java.util.ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isTextual()) {
                throw new InvalidField(field, field + " must be an array of at most " + max + " strings, or null");
            }
            strings.add(element.textValue());
        }
        if (strings.isEmpty()) {
            throw new InvalidField(field, field + " must not be an empty array; send null for the default");
        }
        return Optional.of(java.util.List.copyOf(strings));
    }

    long requiredId(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidField(field, field + " is required");
        }
        if (!value.canConvertToExactIntegral() || !value.canConvertToLong() || value.longValue() <= 0) {
            throw new InvalidField(field, field + " must be a positive whole number");
        }
        return value.longValue();
    }

    /** A path parameter that must be a positive id: anything else is a 400, not a 404 or 500. */
    static long pathId(Context ctx, String name) {
        String raw = ctx.pathParam(name);
        if (ID.matcher(raw).matches()) {
            try {
                long id = Long.parseLong(raw);
                if (id > 0) {
                    return id;
                }
            } catch (NumberFormatException e) {
                // past Long.MAX_VALUE: falls through to the 400 below
            }
        }
        throw new InvalidField(name, name + " must be a positive whole number");
    }

    /** Field names come from the caller: cut them short and keep them printable before echoing. */
    private static String safeName(String name) {
        String cut = name.length() > 64 ? name.substring(0, 64) : name;
        return cut.replaceAll("[^A-Za-z0-9_.-]", "?");
    }
}
