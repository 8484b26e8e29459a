package io.bemi.dashboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExportTest {

  @Test
  void cellsWithCommasQuotesOrNewlinesAreQuoted() {
    assertThat(Export.csvCell("a,b")).isEqualTo("\"a,b\"");
    assertThat(Export.csvCell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(Export.csvCell("two\nlines")).isEqualTo("\"two\nlines\"");
    assertThat(Export.csvCell("{\"a\":1}")).isEqualTo("\"{\"\"a\"\":1}\"");
  }

  @Test
  void spreadsheetFormulasAreDefused() {
    assertThat(Export.csvCell("=HYPERLINK(\"x\")")).startsWith("\"'=");
    assertThat(Export.csvCell("@SUM(A1)")).isEqualTo("\"'@SUM(A1)\"");
    assertThat(Export.csvCell("-1+2")).isEqualTo("\"'-1+2\"");
  }

  @Test
  void negativeNumbersStayNumbers() {
    assertThat(Export.csvCell("-42.5")).isEqualTo("-42.5");
  }
}
