package io.bemi.dashboard.web.html;

import static io.bemi.dashboard.web.html.Html.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/** JSON values as pretty, collapsible HTML ({@code <details>}: works without JavaScript). */
public final class JsonView {

  private static final int OPEN_DEPTH = 2;

  private JsonView() {}

  public static SafeHtml render(JsonNode node) {
    if (node == null) {
      return html("<span class=\"j-absent\">—</span>");
    }
    return html("<div class=\"json\">{}</div>", value(node, 0));
  }

  private static SafeHtml value(JsonNode node, int depth) {
    if (node.isObject()) {
      if (node.isEmpty()) {
        return html("<span class=\"j-punct\">{}</span>", "{}");
      }
      StringBuilder rows = new StringBuilder();
      Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        rows.append(html("<div class=\"j-row\"><span class=\"j-key\">{}</span><span class=\"j-punct\">: </span>{}</div>",
            "\"" + f.getKey() + "\"", value(f.getValue(), depth + 1)).html());
      }
      return container("{", "}", node.size() + (node.size() == 1 ? " key" : " keys"), new SafeHtml(rows.toString()), depth);
    }
    if (node.isArray()) {
      if (node.isEmpty()) {
        return html("<span class=\"j-punct\">{}</span>", "[]");
      }
      StringBuilder rows = new StringBuilder();
      for (JsonNode item : node) {
        rows.append(html("<div class=\"j-row\">{}</div>", value(item, depth + 1)).html());
      }
      return container("[", "]", node.size() + (node.size() == 1 ? " item" : " items"), new SafeHtml(rows.toString()), depth);
    }
    if (node.isTextual()) {
      return html("<span class=\"j-str\">{}</span>", "\"" + node.textValue() + "\"");
    }
    if (node.isNumber()) {
      return html("<span class=\"j-num\">{}</span>", node.isBigDecimal() ? node.decimalValue().toPlainString() : node.asText());
    }
    if (node.isBoolean()) {
      return html("<span class=\"j-bool\">{}</span>", node.asText());
    }
    return html("<span class=\"j-null\">null</span>");
  }

  private static SafeHtml container(String open, String close, String summary, SafeHtml rows, int depth) {
    return html("<details class=\"j-box\"{}><summary><span class=\"j-punct\">{}</span><span class=\"j-count\">{}</span></summary>"
            + "<div class=\"j-body\">{}</div><span class=\"j-punct\">{}</span></details>",
        new SafeHtml(depth < OPEN_DEPTH ? " open" : ""), open, summary, rows, close);
  }
}
