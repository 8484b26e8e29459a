package io.bemi.test;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/** See {@link WithPostgres}. */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (context.getStore(NAMESPACE).get(TestDatabase.class) != null) {
      return; // a @Nested class shares its outer class's database
    }
    PostgresServer server = Servers.get();
    TestDatabase database = Databases.create(server, Databases.nameFor(context.getRequiredTestClass()));
    context.getStore(NAMESPACE).put(TestDatabase.class, database);
    context.getStore(NAMESPACE).put(PostgresServer.class, server);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    TestDatabase database = store.remove(TestDatabase.class, TestDatabase.class);
    PostgresServer server = store.remove(PostgresServer.class, PostgresServer.class);
    if (database != null && server != null) {
      Databases.dropWithSiblings(server, database.name());
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestDatabase database = context.getStore(NAMESPACE).get(TestDatabase.class, TestDatabase.class);
    if (database == null) {
      throw new ParameterResolutionException("No test database: annotate the test class with @WithPostgres");
    }
    return database;
  }
}
