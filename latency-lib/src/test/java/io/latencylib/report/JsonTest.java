package io.latencylib.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesAndReadsBackEveryKindOfValue() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "quote \" backslash \\ slash / newline \n tab \t cr \r bell \u0007 nul \u0000 é 漢 😀 \u2028");
        value.put("long", Long.MIN_VALUE);
        value.put("max", Long.MAX_VALUE);
        value.put("double", -1.25e-7);
        value.put("big", 1.0e300);
        value.put("true", true);
        value.put("false", false);
        value.put("null", null);
        value.put("empty object", Map.of());
        value.put("empty array", List.of());
        value.put("nested", List.of(1L, List.of("a", Map.of("k", 2.5)), Arrays.asList((Object) null)));
        Object back = Json.parse(Json.write(value));
        assertThat(back).isEqualTo(value);
    }

    @Test
    void readsWhatOtherWritersWrite() {
        assertThat(Json.parse(" {\"a\" : [ 1 , -0 , 0.5 , 1E3 , 2e-2 , \"\\u00e9\\ud83d\\ude00\\/\" ] } "))
                .isEqualTo(Map.of("a", List.of(1L, 0L, 0.5, 1000.0, 0.02, "é😀/")));
        assertThat(Json.parse("123456789012345678901234567890")).isEqualTo(1.2345678901234568e29);
        assertThat(Json.parse("null")).isNull();
    }

    @Test
    void writesNonFiniteNumbersAsNull() {
        assertThat(Json.write(List.of(Double.NaN, Double.POSITIVE_INFINITY))).isEqualTo("[\n  null,\n  null\n]\n");
    }

    @Test
    void rejectsMalformedJsonWithItsOffset() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "\"open", "\"bad \\x escape\"",
                "\"\\u12\"", "01", "1.", "-", "1e", "tru", "[1] [2]", "{\"a\":1,\"a\":2}", "{a:1}", "\"tab\there\"",
                "nan", "[" .repeat(100) + "]".repeat(100)}) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(Json.JsonException.class)
                    .hasMessageContaining("offset");
        }
    }
}
