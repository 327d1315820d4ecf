package io.raftmanager.examples.kv.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesMapsInOrderWithEscapesAndNulls() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", 1L);
        m.put("role", "leader");
        m.put("note", "a \"quoted\"\n\u0001 line");
        m.put("ok", true);
        m.put("none", null);
        m.put("members", List.of(Map.of("id", 2)));
        m.put("list", Arrays.asList(1, null));
        assertEquals(
                "{\"id\":1,\"role\":\"leader\",\"note\":\"a \\\"quoted\\\"\\n\\u0001 line\",\"ok\":true,\"none\":null,"
                        + "\"members\":[{\"id\":2}],\"list\":[1,null]}",
                Json.write(m));
    }

    @Test
    void parsesFlatObjectsWithIntegersAsLongs() {
        Map<String, Object> m = Json.parseObject(" {\"id\": 4, \"addr\": \"h:1\", \"force\": false, \"x\": null} ");
        assertEquals(4L, m.get("id"));
        assertEquals("h:1", m.get("addr"));
        assertEquals(false, m.get("force"));
        assertNull(m.get("x"));
        assertEquals(Map.of(), Json.parseObject("{}"));
    }

    @Test
    void refusesWhatIsNotAFlatObjectWithAClearReason() {
        for (String bad :
                List.of("", "[1]", "{\"a\":", "{\"a\":1} x", "{\"a\":{\"b\":1}}", "{\"a\":[1]}", "{\"a\":1.5}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parseObject(bad), bad);
            assertEquals(true, e.getMessage().startsWith("malformed JSON"), e.getMessage());
        }
    }

    @Test
    void readsOneFieldOrNull() {
        assertEquals("leader", Json.field("{\"id\":1,\"role\":\"leader\",\"term\":3}", "role"));
        assertEquals(3, ((Number) Json.field("{\"id\":1,\"role\":\"leader\",\"term\":3}", "term")).intValue());
        assertNull(Json.field("not json", "role"));
        assertNull(Json.field("{\"id\":1}", "role"));
    }
}
