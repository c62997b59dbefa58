package io.streamhelper.relay.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.streamhelper.relay.core.service.ServiceException.InvalidField;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * A request's JSON object, read strictly: unknown fields, wrong types and malformed JSON are each
 * a 400 naming the field, never a 500. Values are never echoed in errors (a field may be a key).
 */
final class JsonBody {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ObjectNode node;

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    /** Parses the body and refuses any field not in {@code allowed}. */
    static JsonBody of(Context ctx, Set<String> allowed) {
        String text = ctx.body();
        JsonNode parsed;
        try {
            parsed = text.isBlank() ? null : MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidField("body", "request body is not valid JSON");
        }
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
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // falls through to the 400 below
        }
        throw new InvalidField(name, name + " must be a positive whole number");
    }

    /** Field names come from the caller: cut them short and keep them printable before echoing. */
    private static String safeName(String name) {
        String cut = name.length() > 64 ? name.substring(0, 64) : name;
        return cut.replaceAll("[^A-Za-z0-9_.-]", "?");
    }
}
