package io.bemi.dashboard.changes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ColumnDiffTest {

  private static JsonNode json(String text) throws Exception {
    return StoredJson.mapper().readTree(text);
  }

  @Test
  void anUpdateFlagsOnlyTheColumnsWhoseValueChanged() throws Exception {
    List<ColumnDiff> diff = ColumnDiff.of(json("{\"id\":1,\"total\":10.50,\"note\":null}"), json("{\"id\":1,\"total\":10.50,\"note\":\"x\"}"));
    assertThat(diff).filteredOn(ColumnDiff::changed).extracting(ColumnDiff::column).containsExactly("note");
  }

  @Test
  void numbersCompareWithTheirExactDigits() throws Exception {
    List<ColumnDiff> diff = ColumnDiff.of(json("{\"n\":12345678901234567890.1}"), json("{\"n\":12345678901234567890.2}"));
    assertThat(diff.get(0).changed()).isTrue();
  }

  @Test
  void aColumnAnUpdatesAfterLeavesOutIsAnUnchangedToastValueNotAChangeToNull() throws Exception {
    List<ColumnDiff> diff = ColumnDiff.of(json("{\"id\":1,\"big\":\"c4ca…\",\"small\":1}"), json("{\"id\":1,\"small\":2}"));
    assertThat(diff).filteredOn(ColumnDiff::changed).extracting(ColumnDiff::column).containsExactly("small");
    List<ColumnDiff> delete = ColumnDiff.of(json("{\"id\":1,\"big\":\"x\"}"), json("{}"));
    assertThat(delete).allMatch(ColumnDiff::changed);
  }

  @Test
  void aCreateHasNoBeforeSideRatherThanNulls() throws Exception {
    ColumnDiff d = ColumnDiff.of(json("{}"), json("{\"note\":null}")).get(0);
    assertThat(d.before()).isNull();
    assertThat(d.after().isNull()).isTrue();
    assertThat(d.changed()).isTrue();
  }
}
