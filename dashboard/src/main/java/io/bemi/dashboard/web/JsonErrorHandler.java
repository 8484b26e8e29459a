package io.bemi.dashboard.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import io.bemi.sql.JsonStrings;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answer to a request Jetty refuses before the dashboard sees it (a URI or headers over its
 * limits: 414, 431; a malformed request: 400): the API's error JSON, {@code {"status": 414, "error":
 * "URI Too Long"}}, instead of Jetty's HTML page. Everything else is answered by the dashboard's own
 * error mapping.
 */
final class JsonErrorHandler extends ErrorHandler {

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(body(status, reason).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) throws IOException {
    response.getHeaders().put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
    Content.Sink.write(response, true, body(code, message), callback);
  }

  private static String body(int status, String reason) {
    StringBuilder json = new StringBuilder("{\"status\": ").append(status).append(", \"error\": ");
    JsonStrings.append(json, reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason);
    return json.append('}').toString();
  }
}
