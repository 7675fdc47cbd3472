package io.latencylib.bench;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/** Writes plain maps, lists, strings, numbers and booleans as JSON (the runner's few result files). */
final class JsonOut {

    private JsonOut() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, "");
        return out.append('\n').toString();
    }

    private static void write(Object v, StringBuilder out, String indent) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.append(indent).append("  ");
                string(String.valueOf(e.getKey()), out);
                out.append(": ");
                write(e.getValue(), out, indent + "  ");
                out.append(++i < m.size() ? ",\n" : "\n");
            }
            out.append(indent).append('}');
        } else if (v instanceof Collection<?> c) {
            out.append('[');
            int i = 0;
            for (Object x : c) {
                write(x, out, indent + "  ");
                if (++i < c.size()) {
                    out.append(", ");
                }
            }
            out.append(']');
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            out.append(Double.isFinite(d) ? (d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format(Locale.ROOT,
                    "%.1f", d) : Double.toString(d)) : "null");
        } else if (v instanceof Number || v instanceof Boolean) {
            out.append(v);
        } else {
            string(String.valueOf(v), out);
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
