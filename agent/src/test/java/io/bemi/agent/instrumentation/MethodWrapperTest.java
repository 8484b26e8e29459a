package io.bemi.agent.instrumentation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.agent.hooks.BemiHooks;
import io.bemi.agent.hooks.RequestHook;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.loading.ByteArrayClassLoader;
import net.bytebuddy.implementation.ExceptionMethod;
import net.bytebuddy.implementation.FixedValue;
import net.bytebuddy.implementation.StubMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rewritten bytecode verifies and calls the hooks, on stand-ins for classes this module's tests
 * cannot load for real (javax.servlet, Spring MVC): generated classes with the real names and
 * descriptors, rewritten by {@link BemiTransformer#rewrite}, loaded in a fresh class loader.
 */
class MethodWrapperTest {

  private final List<String> calls = new ArrayList<>();
  private RequestHook previous;

  @BeforeEach
  void recordRequestHooks() {
    previous = BemiHooks.requests;
    BemiHooks.requests = new RequestHook() {
      @Override
      public AutoCloseable requestStarted(Object request) {
        calls.add("started " + request);
        return () -> calls.add("scope closed");
      }

      @Override
      public void requestReentered(Object request) {
        calls.add("reentered " + request);
      }

      @Override
      public void requestEnded(AutoCloseable scope) {
        calls.add("ended");
      }

      @Override
      public void endpointMatched(Object endpoint) {
        calls.add("endpoint " + endpoint);
      }

      @Override
      public void routeAttributeSet(Object request) {
        calls.add("route of " + request);
      }
    };
  }

  @AfterEach
  void restoreHooks() {
    BemiHooks.requests = previous;
  }

  @Test
  void aJavaxServletsServiceStartsAndEndsTheRequestAroundItsBody() throws Exception {
    Class<?> servlet = javaxServlet(false);
    Object request = request(servlet, "javax.servlet.ServletRequest");

    service(servlet).invoke(servlet.getConstructor().newInstance(), request, response(servlet));

    assertThat(calls).containsExactly("started " + request, "ended");
  }

  @Test
  void aServiceThatThrowsStillEndsTheRequestAndItsExceptionReachesTheCaller() throws Exception {
    Class<?> servlet = javaxServlet(true);
    Object request = request(servlet, "javax.servlet.ServletRequest");

    assertThatThrownBy(() -> service(servlet).invoke(servlet.getConstructor().newInstance(), request, response(servlet)))
        .isInstanceOf(InvocationTargetException.class)
        .cause().isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(calls).containsExactly("started " + request, "ended");
  }

  @Test
  void springsGetHandlerReportsTheRequestAfterFindingTheHandler() throws Exception {
    Map<String, byte[]> types = new java.util.HashMap<>();
    String chain = "org.springframework.web.servlet.HandlerExecutionChain";
    types.put(chain, new ByteBuddy().subclass(Object.class).name(chain).make().getBytes());
    ClassLoader parent = new ByteArrayClassLoader(getClass().getClassLoader(), types);
    Class<?> chainType = Class.forName(chain, false, parent);
    String owner = "org.springframework.web.servlet.DispatcherServlet";
    byte[] bytes = new ByteBuddy().subclass(Object.class).name(owner)
        .defineMethod("getHandler", chainType, Visibility.PROTECTED).withParameters(jakarta.servlet.http.HttpServletRequest.class)
        .intercept(FixedValue.nullValue())
        .make().getBytes();
    Class<?> dispatcher = load(parent, owner, bytes);
    Object request = Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {jakarta.servlet.http.HttpServletRequest.class}, (proxy, method, args) -> method.getName().equals("toString") ? "request" : null);

    Method getHandler = dispatcher.getDeclaredMethod("getHandler", jakarta.servlet.http.HttpServletRequest.class);
    getHandler.setAccessible(true);
    assertThat(getHandler.invoke(dispatcher.getConstructor().newInstance(), request)).isNull();
    assertThat(calls).containsExactly("route of request");
  }

  @Test
  void theOriginalBodyIsKeptUnderAPrivateSyntheticName() throws Exception {
    Class<?> servlet = javaxServlet(false);

    Method original = servlet.getDeclaredMethod("service$bemi", service(servlet).getParameterTypes());
    assertThat(original.isSynthetic()).isTrue();
    assertThat(java.lang.reflect.Modifier.isPrivate(original.getModifiers())).isTrue();
    assertThat(java.lang.reflect.Modifier.isPublic(service(servlet).getModifiers())).isTrue();
  }

  /** A stand-in {@code javax.servlet.http.HttpServlet} whose {@code service} does nothing, or throws. */
  private Class<?> javaxServlet(boolean throwing) throws Exception {
    Map<String, byte[]> types = new java.util.HashMap<>();
    for (String api : new String[] {"javax.servlet.ServletRequest", "javax.servlet.ServletResponse"}) {
      types.put(api, new ByteBuddy().makeInterface().name(api).make().getBytes());
    }
    ClassLoader parent = new ByteArrayClassLoader(getClass().getClassLoader(), types);
    String owner = "javax.servlet.http.HttpServlet";
    byte[] bytes = new ByteBuddy().subclass(Object.class).name(owner)
        .defineMethod("service", void.class, Visibility.PUBLIC)
        .withParameters(Class.forName("javax.servlet.ServletRequest", false, parent), Class.forName("javax.servlet.ServletResponse", false, parent))
        .intercept(throwing ? ExceptionMethod.throwing(IllegalStateException.class, "boom") : StubMethod.INSTANCE)
        .make().getBytes();
    return load(parent, owner, bytes);
  }

  private static Class<?> load(ClassLoader parent, String name, byte[] bytes) throws ClassNotFoundException {
    List<Interception> interceptions = Interception.ALL.stream().filter(i -> i.owner().equals(name.replace('.', '/'))).toList();
    byte[] rewritten = BemiTransformer.rewrite(bytes, interceptions);
    assertThat(rewritten).as("the method was found and rewritten").isNotNull();
    return Class.forName(name, true, new ByteArrayClassLoader(parent, Map.of(name, rewritten)));
  }

  private static Method service(Class<?> servlet) {
    for (Method method : servlet.getDeclaredMethods()) {
      if (method.getName().equals("service")) {
        return method;
      }
    }
    throw new AssertionError("no service method");
  }

  private static Object request(Class<?> servlet, String type) throws Exception {
    Class<?> api = Class.forName(type, false, servlet.getClassLoader());
    return Proxy.newProxyInstance(servlet.getClassLoader(), new Class<?>[] {api}, (proxy, method, args) -> "request");
  }

  private static Object response(Class<?> servlet) throws Exception {
    Class<?> api = Class.forName("javax.servlet.ServletResponse", false, servlet.getClassLoader());
    return Proxy.newProxyInstance(servlet.getClassLoader(), new Class<?>[] {api}, (proxy, method, args) -> "response");
  }
}
