package io.bemi.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isBootstrapClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.bemi.agent.core.AgentLog;
import java.lang.instrument.Instrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.Nexus;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Which classes the agent changes, and with which advice. Types are matched by exact name wherever
 * possible; the one open-ended match (servlets that override {@code service} themselves) first
 * requires the method to be declared, so the type hierarchy is resolved only for those few classes.
 */
public final class Instrumentations {

  private Instrumentations() {}

  public record Parts(boolean connections, boolean requests, boolean jobs) {}

  public static void install(Instrumentation instrumentation, Parts parts, boolean lateAttach) {
    // Byte Buddy's Nexus (class initialisers for loaded-type initialisation) is of no use with
    // disableClassFormatChanges(), and probing for it touches sun.misc.Unsafe, which Java 24+ reports
    // with a warning on stderr. Turn it off while the builder is created; the property is ours to clear.
    String previous = System.setProperty(Nexus.PROPERTY, "true");
    AgentBuilder builder;
    try {
      builder = new AgentBuilder.Default();
    } finally {
      if (previous == null) {
        System.clearProperty(Nexus.PROPERTY);
      } else {
        System.setProperty(Nexus.PROPERTY, previous);
      }
    }
    builder = builder
        .disableClassFormatChanges()
        .with(AgentBuilder.TypeStrategy.Default.DECORATE)
        .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
        .with(AgentBuilder.PoolStrategy.Default.FAST)
        .with(new FailureListener())
        .ignore(ignored(parts.jobs()), isBootstrapClassLoader());
    if (lateAttach) {
      builder = builder.with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
    }
    if (parts.connections()) {
      builder = builder
          .type(named("org.postgresql.Driver"))
          .transform(advice(PgjdbcAdvice.DriverConnect.class, named("connect").and(takesArguments(String.class, java.util.Properties.class))))
          .type(named("org.postgresql.ds.common.BaseDataSource"))
          .transform(advice(PgjdbcAdvice.DataSourceGetConnection.class, named("getConnection").and(takesArguments(String.class, String.class))))
          .type(named("org.postgresql.ds.PGPooledConnection").or(named("org.postgresql.xa.PGXAConnection")))
          .transform(advice(PgjdbcAdvice.PooledGetConnection.class, named("getConnection").and(takesArguments(0))));
    }
    if (parts.requests()) {
      for (String api : new String[] {"jakarta.servlet", "javax.servlet"}) {
        builder = builder
            .type(named(api + ".http.HttpServlet").or(overridesService(api)))
            .transform(advice(ServletAdvice.class, service(api)));
      }
      builder = builder
          .type(named("io.javalin.http.servlet.JavalinServletContext"))
          .transform(advice(JavalinRouteAdvice.class,
              named("update").and(takesArguments(2)).and(takesArgument(0, named("io.javalin.router.Endpoint")))))
          .type(named("org.springframework.web.servlet.DispatcherServlet"))
          .transform(advice(SpringRouteAdvice.class, named("getHandler").and(takesArguments(1)).and(not(isStatic()))));
    }
    if (parts.jobs()) {
      builder = builder
          .type(named("io.bemi.Bemi"))
          .transform(advice(ContextAdvice.class, named("snapshot").and(takesArguments(0)).and(isStatic()).and(returns(named("io.bemi.ContextSnapshot")))));
    }
    builder.installOn(instrumentation);
  }

  /** Our own classes, the JDK and other instrumentation tools are never looked at (except the one context class). */
  private static ElementMatcher.Junction<TypeDescription> ignored(boolean keepContextClass) {
    ElementMatcher.Junction<TypeDescription> own = nameStartsWith("io.bemi.");
    if (keepContextClass) {
      own = own.and(not(named("io.bemi.Bemi")));
    }
    return own
        .or(nameStartsWith("java."))
        .or(nameStartsWith("javax.").and(not(nameStartsWith("javax.servlet."))))
        .or(nameStartsWith("jdk."))
        .or(nameStartsWith("sun."))
        .or(nameStartsWith("com.sun."))
        .or(nameStartsWith("net.bytebuddy."))
        .or(nameStartsWith("io.opentelemetry.javaagent."))
        .or(nameStartsWith("kotlin."))
        .or(nameStartsWith("scala."));
  }

  /** {@code service(ServletRequest, ServletResponse)} with a body. */
  private static ElementMatcher.Junction<MethodDescription> service(String api) {
    return named("service")
        .and(takesArguments(2))
        .and(takesArgument(0, named(api + ".ServletRequest")))
        .and(takesArgument(1, named(api + ".ServletResponse")))
        .and(isPublic())
        .and(not(isAbstract()));
  }

  /** Servlets that replace {@code HttpServlet}'s public {@code service} (Jersey's container, plain {@code Servlet}s). */
  private static ElementMatcher.Junction<TypeDescription> overridesService(String api) {
    return declaresMethod(service(api)).and(hasSuperType(named(api + ".Servlet")));
  }

  private static AgentBuilder.Transformer advice(Class<?> adviceClass, ElementMatcher<? super MethodDescription> methods) {
    return (DynamicType.Builder<?> builder, TypeDescription type, ClassLoader loader, JavaModule module,
        java.security.ProtectionDomain domain) -> builder.visit(Advice.to(adviceClass).on(methods));
  }

  /** Logs classes the agent meant to change but could not (once each kind), instead of failing silently. */
  private static final class FailureListener extends AgentBuilder.Listener.Adapter {
    @Override
    public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded, Throwable throwable) {
      AgentLog.failedOnce("instrumenting " + typeName, throwable);
    }
  }
}
