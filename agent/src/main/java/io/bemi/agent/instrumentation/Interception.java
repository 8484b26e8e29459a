package io.bemi.agent.instrumentation;

/**
 * One method the agent changes, named exactly (class, method, descriptor), and how. The whole list
 * is {@link #ALL}: nothing else in the JVM is touched, and a class is recognised by the name the
 * JVM passes to the transformer, without parsing any class file.
 */
record Interception(Part part, String owner, String method, String descriptor, Kind kind, int site) {

  enum Part { CONNECTIONS, REQUESTS, JOBS }

  enum Kind {
    /** Wrap the returned connection: {@code Dispatch.connectionEnter / connectionExit / connectionFailed}. */
    CONNECTION,
    /** Set and restore a request's context around the call: {@code Dispatch.requestEnter / requestExit}. */
    REQUEST,
    /** Report the first argument before the body runs: {@code Dispatch.javalinEndpoint}. */
    JAVALIN_ENDPOINT,
    /** Report the first argument after the call returned: {@code Dispatch.springHandlerFound}. */
    SPRING_HANDLER,
    /**
     * In every method of the class, pass what each call of {@code method descriptor} on
     * {@code io.bemi.Bemi} returns through {@code Dispatch.snapshot} (a call site, not a method body).
     */
    SNAPSHOT_CALLS
  }

  private static final String CONNECTION = "Ljava/sql/Connection;";

  static final java.util.List<Interception> ALL = java.util.List.of(
      new Interception(Part.CONNECTIONS, "org/postgresql/Driver", "connect",
          "(Ljava/lang/String;Ljava/util/Properties;)" + CONNECTION, Kind.CONNECTION, 0),
      new Interception(Part.CONNECTIONS, "org/postgresql/ds/common/BaseDataSource", "getConnection",
          "(Ljava/lang/String;Ljava/lang/String;)" + CONNECTION, Kind.CONNECTION, 1),
      new Interception(Part.CONNECTIONS, "org/postgresql/ds/PGPooledConnection", "getConnection", "()" + CONNECTION, Kind.CONNECTION, 2),
      new Interception(Part.CONNECTIONS, "org/postgresql/xa/PGXAConnection", "getConnection", "()" + CONNECTION, Kind.CONNECTION, 2),
      servlet("jakarta/servlet/http/HttpServlet", "jakarta"),
      servlet("javax/servlet/http/HttpServlet", "javax"),
      servlet("org/glassfish/jersey/servlet/ServletContainer", "jakarta"),
      servlet("org/glassfish/jersey/servlet/ServletContainer", "javax"),
      new Interception(Part.REQUESTS, "io/javalin/http/servlet/JavalinServletContext", "update",
          "(Lio/javalin/router/Endpoint;Ljava/util/Map;)Lio/javalin/http/servlet/JavalinServletContext;", Kind.JAVALIN_ENDPOINT, 0),
      new Interception(Part.REQUESTS, "org/springframework/web/servlet/DispatcherServlet", "getHandler",
          "(Ljakarta/servlet/http/HttpServletRequest;)Lorg/springframework/web/servlet/HandlerExecutionChain;", Kind.SPRING_HANDLER, 0),
      new Interception(Part.REQUESTS, "org/springframework/web/servlet/DispatcherServlet", "getHandler",
          "(Ljavax/servlet/http/HttpServletRequest;)Lorg/springframework/web/servlet/HandlerExecutionChain;", Kind.SPRING_HANDLER, 0),
      // the driver's wrapper reads the context it emits with Bemi.snapshot(); only there does an
      // empty context become the job context (the application's own Bemi calls never see it)
      new Interception(Part.JOBS, "io/bemi/jdbc/Session", "snapshot", "()Lio/bemi/ContextSnapshot;", Kind.SNAPSHOT_CALLS, 0));

  private static Interception servlet(String owner, String api) {
    return new Interception(Part.REQUESTS, owner, "service",
        "(L" + api + "/servlet/ServletRequest;L" + api + "/servlet/ServletResponse;)V", Kind.REQUEST, 0);
  }
}
