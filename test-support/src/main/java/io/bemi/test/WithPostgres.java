package io.bemi.test;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives the annotated test class a fresh database on a real PostgreSQL configured for logical
 * replication. Test methods, constructors and lifecycle methods may declare a {@link TestDatabase}
 * parameter.
 *
 * <p>Which server: {@code BEMI_TEST_DATABASE_URL} (an external server), else Testcontainers when
 * {@code BEMI_TEST_TESTCONTAINERS=true} (skipped when no Docker engine answers), else an embedded
 * server (one per test JVM) of the major version chosen with {@code -Dbemi.pg.version}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PostgresExtension.class)
public @interface WithPostgres {}
