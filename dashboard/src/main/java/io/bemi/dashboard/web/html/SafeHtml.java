package io.bemi.dashboard.web.html;

/** Markup that is already safe to send: built by {@link Html} from escaped values or trusted literals. */
public record SafeHtml(String html) {

  public static final SafeHtml EMPTY = new SafeHtml("");

  @Override
  public String toString() {
    return html;
  }
}
