package io.streamhelper.relay.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine's packages form a layered graph: {@code stream} knows its sinks, not the
 * destinations behind them; {@code registry} sits above both and wires them. A cycle between
 * packages (as once between {@code stream} and {@code destination}) makes them one unit in all
 * but name, so this reads the import lines of the engine's main sources and fails on any.
 */
class PackageCycleTest {
    private static final String ROOT = "io.streamhelper.relay.engine";
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile(
            "^import\\s+(?:static\\s+)?(" + Pattern.quote(ROOT) + "(?:\\.[a-z]\\w*)*)\\.[A-Z]", Pattern.MULTILINE);

    @Test
    void theEnginesPackagesHaveNoCycle() throws IOException {
        Map<String, Set<String>> graph = packageGraph(Path.of("src/main/java"));
        assertTrue(graph.keySet().containsAll(List.of(ROOT + ".stream", ROOT + ".destination", ROOT + ".publish")),
                "read the engine's sources: " + graph.keySet());
        List<String> cycle = findCycle(graph);
        assertEquals(List.of(), cycle, "package cycle: " + String.join(" -> ", cycle));
    }

    @Test
    void theStreamPackageImportsNothingFromDestination() throws IOException {
        Set<String> imports = packageGraph(Path.of("src/main/java")).get(ROOT + ".stream");
        assertTrue(!imports.contains(ROOT + ".destination"), "stream imports " + imports);
    }

    @Test
    void aCycleIsFound() {
        Map<String, Set<String>> graph = new TreeMap<>(Map.of(
                "a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a")));
        assertEquals(List.of("a", "b", "c", "a"), findCycle(graph));
        assertEquals(List.of(), findCycle(Map.of("a", Set.of("b"), "b", Set.of())));
    }

    /** Package -> the engine packages its files import (by name: same-package use needs no import). */
    static Map<String, Set<String>> packageGraph(Path sources) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path file : files) {
            String text = Files.readString(file);
            Matcher pkg = PACKAGE.matcher(text);
            if (!pkg.find()) {
                continue;
            }
            Set<String> imports = graph.computeIfAbsent(pkg.group(1), k -> new TreeSet<>());
            Matcher imp = IMPORT.matcher(text);
            while (imp.find()) {
                if (!imp.group(1).equals(pkg.group(1))) {
                    imports.add(imp.group(1));
                }
            }
        }
        return graph;
    }

    /** One cycle as a path that ends where it starts, or an empty list. Depth-first, in name order. */
    static List<String> findCycle(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new HashMap<>(); // 1 on the path, 2 done
        for (String start : new TreeSet<>(graph.keySet())) {
            Deque<String> path = new ArrayDeque<>();
            List<String> cycle = visit(start, graph, state, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        return List.of();
    }

    private static List<String> visit(String node, Map<String, Set<String>> graph, Map<String, Integer> state,
            Deque<String> path) {
        Integer seen = state.get(node);
        if (seen != null && seen == 2) {
            return List.of();
        }
        if (seen != null) {
            List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (var it = path.descendingIterator(); it.hasNext(); ) {
                String p = it.next();
                in |= p.equals(node);
                if (in) {
                    cycle.add(p);
                }
            }
            cycle.add(node);
            return cycle;
        }
        state.put(node, 1);
        path.push(node);
        for (String next : new TreeSet<>(graph.getOrDefault(node, Set.of()))) {
            List<String> cycle = visit(next, graph, state, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.pop();
        state.put(node, 2);
        return List.of();
    }
}
