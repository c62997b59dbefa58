package io.streamhelper.relay.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, as Prometheus's own parser
 * takes it (no client library for it is at hand here): HELP/TYPE comments, then samples, each
 * metric family's lines together and its TYPE before its samples, valid metric and label names,
 * label values with only the three escapes, no label twice in a line, no series twice, a float
 * value, an optional integer timestamp. A histogram's buckets end with {@code le="+Inf"}.
 * Fails with the line and what is wrong with it.
 */
final class PrometheusText {
    /** One sample: metric name, its labels (in their order on the line), its value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private final List<Sample> samples = new ArrayList<>();

    private PrometheusText() {
    }

    static List<Sample> parse(String text) {
        PrometheusText reader = new PrometheusText();
        reader.read(text);
        return List.copyOf(reader.samples);
    }

    private void read(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a line feed");
        }
        Map<String, String> types = new HashMap<>();
        Set<String> helped = new HashSet<>();
        Set<String> finishedFamilies = new HashSet<>();
        Set<String> series = new HashSet<>();
        String currentFamily = null;
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + number + " \"" + line + "\": ";
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String family = parts[2];
                    check(family.matches("[a-zA-Z_:][a-zA-Z0-9_:]*"), where + "bad metric name");
                    if (!family.equals(currentFamily)) {
                        check(!finishedFamilies.contains(family), where + "family " + family + " appears twice");
                        if (currentFamily != null) {
                            finishedFamilies.add(currentFamily);
                        }
                        currentFamily = family;
                    }
                    if (parts[1].equals("TYPE")) {
                        check(parts.length == 4 && TYPES.contains(parts[3]), where + "unknown type");
                        check(types.put(family, parts[3]) == null, where + "a second TYPE for " + family);
                    } else {
                        check(helped.add(family), where + "a second HELP for " + family);
                        String help = parts.length == 4 ? parts[3] : "";
                        check(!help.replace("\\\\", "").replace("\\n", "").contains("\\"), where + "bad escape in HELP");
                    }
                }
                continue;
            }
            Sample sample = sample(line, where);
            String family = familyOf(sample.name(), types);
            if (!family.equals(currentFamily)) {
                check(!finishedFamilies.contains(family) && !types.containsKey(family),
                        where + "sample of " + family + " away from its family's other lines");
                if (currentFamily != null) {
                    finishedFamilies.add(currentFamily);
                }
                currentFamily = family;
            }
            check(series.add(sample.name() + new java.util.TreeMap<>(sample.labels())), where + "the same series twice");
            String type = types.getOrDefault(family, "untyped");
            if (type.equals("histogram") && sample.name().endsWith("_bucket")) {
                check(sample.labels().containsKey("le"), where + "a bucket without le");
            }
            samples.add(sample);
        }
        // Every histogram series' buckets end at +Inf.
        Map<String, Boolean> infinite = new HashMap<>();
        for (Sample s : samples) {
            if (s.name().endsWith("_bucket")) {
                Map<String, String> others = new java.util.TreeMap<>(s.labels());
                String le = others.remove("le");
                infinite.merge(s.name() + others, "+Inf".equals(le), Boolean::logicalOr);
            }
        }
        infinite.forEach((bucketSeries, hasInf) -> check(hasInf, bucketSeries + " has no le=\"+Inf\" bucket"));
    }

    /** The family a sample belongs to: its TYPE's name, which a histogram's _bucket/_sum/_count extend. */
    private static String familyOf(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count", "_created", "_total")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if (types.containsKey(base)) {
                    return base;
                }
            }
        }
        return name;
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_' || line.charAt(i) == ':')) {
            i++;
        }
        String name = line.substring(0, i);
        check(name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*"), where + "bad metric name");
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                check(i < line.length(), where + "unterminated labels");
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int start = i;
                while (i < line.length() && line.charAt(i) != '=') {
                    i++;
                }
                String label = line.substring(start, i);
                check(label.matches("[a-zA-Z_][a-zA-Z0-9_]*") && !label.startsWith("__"), where + "bad label name " + label);
                check(i + 1 < line.length() && line.charAt(i + 1) == '"', where + "label value not quoted");
                i += 2;
                StringBuilder value = new StringBuilder();
                while (true) {
                    check(i < line.length(), where + "unterminated label value");
                    char c = line.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        check(i < line.length(), where + "dangling escape");
                        char e = line.charAt(i++);
                        check(e == '\\' || e == '"' || e == 'n', where + "bad escape \\" + e);
                        value.append(e == 'n' ? '\n' : e);
                    } else {
                        value.append(c);
                    }
                }
                check(labels.put(label, value.toString()) == null, where + "label " + label + " twice");
                check(i < line.length(), where + "unterminated labels");
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
        }
        check(i < line.length() && line.charAt(i) == ' ', where + "no space before the value");
        String[] rest = line.substring(i + 1).split(" ", -1);
        check(rest.length == 1 || rest.length == 2, where + "value and at most a timestamp");
        double value = switch (rest[0]) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                check(rest[0].matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?"), where + "bad value");
                yield Double.parseDouble(rest[0]);
            }
        };
        if (rest.length == 2) {
            check(rest[1].matches("-?[0-9]+"), where + "bad timestamp");
        }
        return new Sample(name, labels, value);
    }

    private static void check(boolean ok, String problem) {
        if (!ok) {
            throw new AssertionError("not Prometheus text: " + problem);
        }
    }
}
