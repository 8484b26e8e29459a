package io.bemi.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wrappers generated from the running JDK's {@code java.sql} interfaces (GenerateForwarders)
 * implement every method themselves: nothing falls through to an interface default, whatever
 * JDK builds the driver. And none inherits behaviour from another class.
 */
class GeneratedForwardersTest {

  static List<Object[]> wrappers() {
    return List.of(new Object[] {BemiConnection.class, Connection.class},
        new Object[] {BemiStatement.class, Statement.class},
        new Object[] {BemiPreparedStatement.class, PreparedStatement.class},
        new Object[] {BemiCallableStatement.class, CallableStatement.class},
        new Object[] {BemiResultSet.class, ResultSet.class});
  }

  @ParameterizedTest
  @MethodSource("wrappers")
  void everyMethodOfTheJdkInterfaceIsImplementedByTheWrapperItself(Class<?> wrapper, Class<?> api) {
    for (Method method : api.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      assertThat(declares(wrapper, method)).as(wrapper.getSimpleName() + " implements " + method).isTrue();
    }
  }

  @ParameterizedTest
  @MethodSource("wrappers")
  void aWrapperIsAFinalClassThatExtendsNothing(Class<?> wrapper, Class<?> api) {
    assertThat(wrapper.getSuperclass()).isEqualTo(Object.class);
    assertThat(Modifier.isFinal(wrapper.getModifiers())).isTrue();
    assertThat(wrapper.getInterfaces()).containsExactly(api);
  }

  private static boolean declares(Class<?> type, Method method) {
    try {
      type.getDeclaredMethod(method.getName(), method.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
