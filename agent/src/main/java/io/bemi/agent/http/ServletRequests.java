package io.bemi.agent.http;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.Principal;

/**
 * Reads servlet requests of either API ({@code jakarta.servlet} or {@code javax.servlet}) without
 * linking against one: the agent's classes live in their own class loader, and a container may load
 * its servlet API anywhere. Methods are looked up once per request class, through the
 * {@code HttpServletRequest} interface, so they can be called on non-public implementation classes.
 */
final class ServletRequests {

  /** What the agent copies from a request into the context: at most this many characters per value. */
  static final int MAX_VALUE_CHARS = 1024;

  private static final ClassValue<Accessor> ACCESSORS = new ClassValue<>() {
    @Override
    protected Accessor computeValue(Class<?> type) {
      return Accessor.find(type);
    }
  };

  private ServletRequests() {}

  /** The accessor for {@code request}, or null when it is not an HTTP servlet request. */
  static Accessor of(Object request) {
    return request == null ? null : ACCESSORS.get(request.getClass());
  }

  static final class Accessor {
    private final Method method;
    private final Method requestUri;
    private final Method header;
    private final Method userPrincipal;
    private final Method remoteUser;
    private final Method attribute;

    private Accessor(Class<?> api) throws NoSuchMethodException {
      method = api.getMethod("getMethod");
      requestUri = api.getMethod("getRequestURI");
      header = api.getMethod("getHeader", String.class);
      userPrincipal = api.getMethod("getUserPrincipal");
      remoteUser = api.getMethod("getRemoteUser");
      attribute = api.getMethod("getAttribute", String.class);
    }

    static Accessor find(Class<?> type) {
      Class<?> api = httpServletRequestInterface(type);
      if (api == null) {
        return null;
      }
      try {
        return new Accessor(api);
      } catch (NoSuchMethodException e) {
        return null;
      }
    }

    private static Class<?> httpServletRequestInterface(Class<?> type) {
      for (Class<?> c = type; c != null; c = c.getSuperclass()) {
        for (Class<?> candidate : c.getInterfaces()) {
          Class<?> found = httpServletRequestOrSuper(candidate);
          if (found != null) {
            return found;
          }
        }
      }
      return null;
    }

    private static Class<?> httpServletRequestOrSuper(Class<?> type) {
      String name = type.getName();
      if (name.equals("jakarta.servlet.http.HttpServletRequest") || name.equals("javax.servlet.http.HttpServletRequest")) {
        return type;
      }
      for (Class<?> parent : type.getInterfaces()) {
        Class<?> found = httpServletRequestOrSuper(parent);
        if (found != null) {
          return found;
        }
      }
      return null;
    }

    String method(Object request) {
      return (String) call(method, request);
    }

    /** The request path, at most {@value #MAX_VALUE_CHARS} characters (the context size contract). */
    String path(Object request) {
      return capped((String) call(requestUri, request));
    }

    /** A header's value, at most {@value #MAX_VALUE_CHARS} characters: a client cannot blow up the context. */
    String header(Object request, String name) {
      return capped((String) call(header, request, name));
    }

    Object attribute(Object request, String name) {
      return call(attribute, request, name);
    }

    /** The authenticated principal's name, else the remote user, else null. */
    String user(Object request) {
      Principal principal = (Principal) call(userPrincipal, request);
      if (principal != null && principal.getName() != null) {
        return principal.getName();
      }
      return (String) call(remoteUser, request);
    }

    static String capped(String value) {
      if (value == null || value.length() <= MAX_VALUE_CHARS) {
        return value;
      }
      int end = Character.isHighSurrogate(value.charAt(MAX_VALUE_CHARS - 1)) ? MAX_VALUE_CHARS - 1 : MAX_VALUE_CHARS;
      return value.substring(0, end);
    }

    private static Object call(Method method, Object target, Object... arguments) {
      try {
        return method.invoke(target, arguments);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        throw cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
