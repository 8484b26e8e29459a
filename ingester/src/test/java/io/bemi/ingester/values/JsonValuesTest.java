package io.bemi.ingester.values;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The mapping on hand-written text forms; the integration test compares it with to_jsonb itself. */
class JsonValuesTest {

  private static final BuiltinTypes TYPES = new BuiltinTypes();

  private static String json(int oid, String text) {
    return JsonValues.toJson(TYPES.resolve(oid), text);
  }

  @Test
  void aUtf8HeadEndsBeforeACharacterCutInTwoButKeepsAWholeOneAtTheEnd() {
    byte[] text = "a\u00e9\u20ac\ud83d\ude00".getBytes(java.nio.charset.StandardCharsets.UTF_8); // a é € 😀: 1+2+3+4 bytes
    assertThat(JsonValues.utf8End(text, 0, 3)).as("é whole").isEqualTo(3);
    assertThat(JsonValues.utf8End(text, 0, 2)).as("é cut").isEqualTo(1);
    assertThat(JsonValues.utf8End(text, 0, 6)).as("€ whole").isEqualTo(6);
    assertThat(JsonValues.utf8End(text, 0, 5)).as("€ cut").isEqualTo(3);
    assertThat(JsonValues.utf8End(text, 0, 10)).as("😀 whole").isEqualTo(10);
    assertThat(JsonValues.utf8End(text, 0, 9)).as("😀 cut").isEqualTo(6);
    assertThat(JsonValues.utf8End(text, 1, 3)).as("from an offset").isEqualTo(3);
  }

  @Test
  void numbersKeepEveryDigit() {
    assertThat(json(BuiltinTypes.NUMERIC, "123456789012345678901234567890.1000")).isEqualTo("123456789012345678901234567890.1000");
    assertThat(json(BuiltinTypes.FLOAT8, "1e+300")).isEqualTo("1e+300");
  }

  @Test
  void nanAndInfinityAreStrings() {
    assertThat(json(BuiltinTypes.NUMERIC, "NaN")).isEqualTo("\"NaN\"");
    assertThat(json(BuiltinTypes.FLOAT4, "-Infinity")).isEqualTo("\"-Infinity\"");
    assertThat(json(BuiltinTypes.FLOAT8, "-1.5")).isEqualTo("-1.5");
  }

  @Test
  void booleansAreJsonBooleans() {
    assertThat(json(BuiltinTypes.BOOL, "t")).isEqualTo("true");
    assertThat(json(BuiltinTypes.BOOL, "f")).isEqualTo("false");
  }

  @Test
  void jsonIsNestedAsIs() {
    assertThat(json(BuiltinTypes.JSONB, "{\"a\": [1]}")).isEqualTo("{\"a\": [1]}");
  }

  @Test
  void timestampsBecomeIso8601() {
    assertThat(json(BuiltinTypes.TIMESTAMP, "2024-01-02 03:04:05.5")).isEqualTo("\"2024-01-02T03:04:05.5\"");
    assertThat(json(BuiltinTypes.TIMESTAMPTZ, "2024-01-02 03:04:05+00")).isEqualTo("\"2024-01-02T03:04:05+00:00\"");
    assertThat(json(BuiltinTypes.TIMESTAMPTZ, "2024-01-02 03:04:05+05:30")).isEqualTo("\"2024-01-02T03:04:05+05:30\"");
    assertThat(json(BuiltinTypes.TIMESTAMPTZ, "0044-03-15 12:00:00+00 BC")).isEqualTo("\"0044-03-15T12:00:00+00:00 BC\"");
    assertThat(json(BuiltinTypes.TIMESTAMPTZ, "infinity")).isEqualTo("\"infinity\"");
  }

  @Test
  void otherTypesAreStringsOfTheirTextForm() {
    assertThat(json(1186, "1 day 02:00:00")).isEqualTo("\"1 day 02:00:00\"");
    assertThat(json(17, "\\x0aff")).isEqualTo("\"\\\\x0aff\"");
    assertThat(json(BuiltinTypes.TEXT, "tab\there \"q\" \u0001")).isEqualTo("\"tab\\there \\\"q\\\" \\u0001\"");
  }

  @Test
  void nullIsJsonNull() {
    assertThat(json(BuiltinTypes.INT4, null)).isEqualTo("null");
  }

  @Test
  void arraysBecomeJsonArraysOfTheirElements() {
    assertThat(json(1007, "{1,NULL,3}")).isEqualTo("[1,null,3]");
    assertThat(json(1007, "{{1,2},{3,4}}")).isEqualTo("[[1,2],[3,4]]");
    assertThat(json(1007, "[0:1]={7,8}")).isEqualTo("[7,8]");
    assertThat(json(1007, "{}")).isEqualTo("[]");
    assertThat(json(1009, "{\"a b\",\"c,d\",\"e\\\"f\",\"NULL\",NULL,\"\"}"))
        .isEqualTo("[\"a b\",\"c,d\",\"e\\\"f\",\"NULL\",null,\"\"]");
    assertThat(json(3807, "{\"{\\\"k\\\": [1]}\",null}")).isEqualTo("[{\"k\": [1]},null]");
  }

  @Test
  void arraysUseTheirElementDelimiter() {
    PgType boxes = PgType.array(1020, PgType.scalar(603, JsonKind.STRING), ';');
    assertThat(JsonValues.toJson(boxes, "{(1,1),(0,0);(3,3),(2,2)}")).isEqualTo("[\"(1,1),(0,0)\",\"(3,3),(2,2)\"]");
  }

  @Test
  void aValueTooLargeToKeepShowsItsSizeHashAndAHeadNeverCutInsideACharacter() throws Exception {
    byte[] text = ("x".repeat(255) + "€€").getBytes(java.nio.charset.StandardCharsets.UTF_8); // € is 3 bytes: 255 + 6
    StringBuilder out = new StringBuilder();
    JsonValues.appendTooLarge(out, "why", text, 0, text.length);

    String sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(text));
    assertThat(out).hasToString("{\"_bemi_unparsed\": {\"problem\": \"why\", \"bytes\": 261, \"sha256\": \"" + sha256
        + "\", \"head\": \"" + "x".repeat(255) + "\"}}");
  }

  @Test
  void theHeadOfAValueTooLargeToKeepIsLeftOutWhenJsonbCouldNotHoldIt() {
    byte[] text = "a\u0000b".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder();
    JsonValues.appendTooLarge(out, "why", text, 0, text.length);

    assertThat(out.toString()).contains("\"bytes\": 3").doesNotContain("head");
  }
}
