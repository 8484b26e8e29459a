package io.bemi.test;

/** A running PostgreSQL on which test databases are created; one per test JVM. */
interface PostgresServer extends AutoCloseable {

  /** {@code jdbc:postgresql://host:port/} with the trailing slash, no database. */
  String baseJdbcUrl();

  String user();

  String password();

  /** An existing database to connect to for CREATE/DROP DATABASE. */
  String maintenanceDatabase();

  /** Where the server came from, for messages: {@code embedded PostgreSQL 17.6}, ... */
  String description();

  @Override
  void close();
}
