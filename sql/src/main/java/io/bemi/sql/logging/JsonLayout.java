package io.bemi.sql.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import io.bemi.sql.JsonStrings;
import java.time.format.DateTimeFormatter;

/**
 * One JSON object per event, on one line, for log shippers:
 * <pre>{"timestamp":"2026-11-28T04:00:00.123Z","level":"INFO","logger":"io.bemi.ingester.Ingester",
 * "thread":"main","message":"Streaming slot …","exception":"java.sql.SQLException: …\n\tat …"}</pre>
 * {@code exception} (the stack trace as one string) only when the event has one.
 */
public final class JsonLayout extends LayoutBase<ILoggingEvent> {

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(256);
    line.append("{\"timestamp\":\"").append(DateTimeFormatter.ISO_INSTANT.format(event.getInstant()))
        .append("\",\"level\":\"").append(event.getLevel()).append("\",\"logger\":");
    JsonStrings.append(line, event.getLoggerName());
    line.append(",\"thread\":");
    JsonStrings.append(line, event.getThreadName());
    line.append(",\"message\":");
    JsonStrings.append(line, event.getFormattedMessage());
    IThrowableProxy throwable = event.getThrowableProxy();
    if (throwable != null) {
      line.append(",\"exception\":");
      JsonStrings.append(line, ThrowableProxyUtil.asString(throwable));
    }
    return line.append('}').append(CoreConstants.LINE_SEPARATOR).toString();
  }
}
