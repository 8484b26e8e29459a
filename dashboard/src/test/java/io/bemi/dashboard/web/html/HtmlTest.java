package io.bemi.dashboard.web.html;

import static io.bemi.dashboard.web.html.Html.html;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HtmlTest {

  @Test
  void valuesAreEscapedForTextAndQuotedAttributes() {
    String out = html("<a title=\"{}\">{}</a>", "\" onmouseover='x'", "<script>&").html();
    assertThat(out).isEqualTo("<a title=\"&quot; onmouseover=&#39;x&#39;\">&lt;script&gt;&amp;</a>");
  }

  @Test
  void safeHtmlIsInsertedAsIs() {
    assertThat(html("<p>{}</p>", html("<b>{}</b>", "<i>")).html()).isEqualTo("<p><b>&lt;i&gt;</b></p>");
  }

  @Test
  void nullBecomesNothing() {
    assertThat(html("<p>{}</p>", (Object) null).html()).isEqualTo("<p></p>");
  }

  @Test
  void holesAndArgumentsMustMatch() {
    assertThatThrownBy(() -> html("{}{}", "a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> html("{}", "a", "b")).isInstanceOf(IllegalArgumentException.class);
  }
}
