package io.bemi.agent.http;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Reads Javalin's {@code io.javalin.router.Endpoint} (public fields {@code method} and
 * {@code path}; {@code HandlerType.isHttpMethod()}) without linking against Javalin.
 */
final class JavalinEndpoints {

  private record Accessor(Field method, Field path, Method isHttpMethod) {}

  private static final ClassValue<Accessor> ACCESSORS = new ClassValue<>() {
    @Override
    protected Accessor computeValue(Class<?> type) {
      try {
        Field method = type.getField("method");
        return new Accessor(method, type.getField("path"), method.getType().getMethod("isHttpMethod"));
      } catch (ReflectiveOperationException e) {
        return null;
      }
    }
  };

  private JavalinEndpoints() {}

  /** The route template of an HTTP handler's endpoint (e.g. {@code /items/{id}}); null for before/after handlers. */
  static String httpRouteOf(Object endpoint) {
    Accessor accessor = endpoint == null ? null : ACCESSORS.get(endpoint.getClass());
    if (accessor == null) {
      return null;
    }
    try {
      Object method = accessor.method().get(endpoint);
      return method != null && Boolean.TRUE.equals(accessor.isHttpMethod().invoke(method)) ? (String) accessor.path().get(endpoint) : null;
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }
}
