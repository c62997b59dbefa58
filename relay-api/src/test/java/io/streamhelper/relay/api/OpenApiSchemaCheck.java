package io.streamhelper.relay.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The part of JSON Schema (as OpenAPI 3.0 uses it) that openapi.json uses, checked against a real
 * response body: $ref, type, nullable, enum, properties, required, items. An object schema that lists
 * properties is taken as closed: a property the server writes that the schema does not list is a
 * problem, so the document cannot fall behind the server without a test saying so.
 */
final class OpenApiSchemaCheck {
    private final JsonNode document;
    private final List<String> problems = new ArrayList<>();

    private OpenApiSchemaCheck(JsonNode document) {
        this.document = document;
    }

    /** Every way {@code value} differs from {@code schema}, each with its JSON path; empty when it fits. */
    static List<String> problems(JsonNode document, JsonNode schema, JsonNode value) {
        OpenApiSchemaCheck check = new OpenApiSchemaCheck(document);
        check.check(schema, value, "$");
        return check.problems;
    }

    /** The node a local reference ({@code #/components/schemas/Stream}) points to. */
    static JsonNode resolve(JsonNode document, JsonNode node) {
        while (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            if (!ref.startsWith("#/")) {
                throw new AssertionError("only local references are used: " + ref);
            }
            JsonNode target = document.at(ref.substring(1));
            if (target.isMissingNode()) {
                throw new AssertionError("unresolved reference " + ref);
            }
            node = target;
        }
        return node;
    }

    private void check(JsonNode schemaOrRef, JsonNode value, String path) {
        JsonNode schema = resolve(document, schemaOrRef);
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                problems.add(path + " is null, which the schema does not allow (nullable: true)");
            }
            return;
        }
        String type = schema.path("type").asText("");
        if (!type.isEmpty() && !hasType(value, type)) {
            problems.add(path + " is " + value.getNodeType() + ", the schema says " + type);
            return;
        }
        if (schema.has("enum") && !contains(schema.get("enum"), value)) {
            problems.add(path + " is " + value + ", not one of " + schema.get("enum"));
        }
        if (value.isObject() && schema.has("properties")) {
            JsonNode properties = schema.get("properties");
            for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (properties.has(name)) {
                    check(properties.get(name), value.get(name), path + "." + name);
                } else {
                    problems.add(path + "." + name + " is in the response but not in the schema's properties");
                }
            }
            for (JsonNode required : schema.path("required")) {
                if (!value.has(required.asText())) {
                    problems.add(path + "." + required.asText() + " is required by the schema but missing from the response");
                }
            }
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), path + "[" + i + "]");
            }
        }
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> throw new AssertionError("unknown schema type " + type);
        };
    }

    private static boolean contains(JsonNode values, JsonNode value) {
        for (JsonNode v : values) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }
}
