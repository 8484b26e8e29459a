package io.bemi.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.bemi.dashboard.changes.BadRequestException;
import io.javalin.http.Context;

/** The context view's selector: one key and its JSON value ({@code key=requestId&value="r-1"}). */
record ContextValue(String key, JsonNode value) {

  static ContextValue of(Context ctx, ObjectMapper json) {
    String key = Requests.required(ctx, "key");
    String text = Requests.required(ctx, "value");
    JsonNode value;
    try {
      value = json.readTree(text);
    } catch (java.io.IOException e) {
      value = null;
    }
    if (value == null || value.isMissingNode() || value.isContainerNode()) {
      // not JSON (or an object/array): the text itself is the value
      value = JsonNodeFactory.instance.textNode(text);
    }
    if (key.isBlank()) {
      throw new BadRequestException("key must not be blank");
    }
    return new ContextValue(key, value);
  }

  String document() {
    return JsonNodeFactory.instance.objectNode().set(key, value).toString();
  }
}
