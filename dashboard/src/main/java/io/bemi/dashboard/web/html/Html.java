package io.bemi.dashboard.web.html;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.function.Function;

/**
 * The one way pages are written: a template of trusted markup with {@code {}} holes, filled with
 * values that are escaped unless they are already {@link SafeHtml}. Escaping covers text and
 * quoted attribute values ({@code & < > " '}), so data can never open a tag or leave an attribute.
 */
public final class Html {

  private Html() {}

  /** Fills each {@code {}} of the trusted template with the next argument, escaped. */
  public static SafeHtml html(String template, Object... args) {
    StringBuilder out = new StringBuilder(template.length() + 16 * args.length);
    int arg = 0;
    int from = 0;
    int hole;
    while ((hole = template.indexOf("{}", from)) >= 0) {
      if (arg >= args.length) {
        throw new IllegalArgumentException("Template has more holes than arguments: " + template);
      }
      out.append(template, from, hole);
      append(out, args[arg++]);
      from = hole + 2;
    }
    if (arg != args.length) {
      throw new IllegalArgumentException("Template has " + arg + " holes for " + args.length + " arguments: " + template);
    }
    out.append(template, from, template.length());
    return new SafeHtml(out.toString());
  }

  public static <T> SafeHtml each(Collection<T> items, Function<T, SafeHtml> render) {
    StringBuilder out = new StringBuilder();
    for (T item : items) {
      out.append(render.apply(item).html());
    }
    return new SafeHtml(out.toString());
  }

  public static SafeHtml when(boolean condition, SafeHtml content) {
    return condition ? content : SafeHtml.EMPTY;
  }

  public static SafeHtml concat(SafeHtml... parts) {
    StringBuilder out = new StringBuilder();
    for (SafeHtml p : parts) {
      out.append(p.html());
    }
    return new SafeHtml(out.toString());
  }

  public static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** A URL query value, percent-encoded (then escaped again when placed in an attribute). */
  public static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static void append(StringBuilder out, Object value) {
    if (value instanceof SafeHtml safe) {
      out.append(safe.html());
    } else if (value != null) {
      out.append(escape(value.toString()));
    }
  }
}
