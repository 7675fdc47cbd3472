package io.latencylib.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** A YAML mapping read with SnakeYAML's safe constructor, with typed getters whose errors name the file and key. */
final class YamlFile {

    private final Path file;
    private final String prefix;
    private final Map<String, Object> map;

    private YamlFile(Path file, String prefix, Map<String, Object> map) {
        this.file = file;
        this.prefix = prefix;
        this.map = map;
    }

    static YamlFile read(Path file, String what) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BenchException(what + " file not found: " + file);
        }
        Object root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        } catch (RuntimeException e) {
            throw new BenchException(file + ": not valid YAML: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> m)) {
            throw new BenchException(file + ": expected a mapping of keys (an OMB " + what + " file)");
        }
        return new YamlFile(file, "", cast(m));
    }

    /** Parses a YAML or JSON text (JSON is YAML) into plain maps, lists and scalars. */
    static Object parse(String text) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        ((Map<Object, Object>) m).forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    Path file() {
        return file;
    }

    boolean has(String key) {
        return map.containsKey(key) && map.get(key) != null;
    }

    /** @throws BenchException naming the first key not in {@code known} */
    void onlyKeys(List<String> known) {
        for (String k : map.keySet()) {
            if (!known.contains(k)) {
                throw new BenchException(file + ": unknown key '" + prefix + k + "' (known here: "
                        + String.join(", ", known) + ")");
            }
        }
    }

    YamlFile section(String key) {
        Object v = map.get(key);
        if (v == null) {
            return new YamlFile(file, prefix + key + ".", new LinkedHashMap<>());
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new BenchException(file + ": '" + prefix + key + "' must be a mapping");
        }
        return new YamlFile(file, prefix + key + ".", cast(m));
    }

    String string(String key, String dflt) {
        Object v = map.get(key);
        return v == null ? dflt : String.valueOf(v);
    }

    List<String> strings(String key) {
        Object v = map.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw new BenchException(file + ": '" + prefix + key + "' must be a list");
        }
        List<String> out = new ArrayList<>();
        l.forEach(x -> out.add(String.valueOf(x)));
        return out;
    }

    int integer(String key, int dflt) {
        Object v = map.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer i) {
            return i;
        }
        throw new BenchException(file + ": '" + prefix + key + "' must be a whole number: " + v);
    }

    double number(String key, double dflt) {
        Object v = map.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new BenchException(file + ": '" + prefix + key + "' must be a number: " + v);
    }

    boolean bool(String key, boolean dflt) {
        Object v = map.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new BenchException(file + ": '" + prefix + key + "' must be true or false: " + v);
    }

    /** @return the error for a value this runner cannot honour */
    BenchException unsupported(String key, Object value, String fix) {
        return new BenchException(String.format(Locale.ROOT, "%s: '%s%s: %s' cannot be honoured: %s", file, prefix,
                key, value, fix));
    }
}
