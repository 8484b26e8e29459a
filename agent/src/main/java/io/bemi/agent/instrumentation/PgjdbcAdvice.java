package io.bemi.agent.instrumentation;

import io.bemi.agent.hooks.BemiHooks;
import io.bemi.agent.hooks.CallDepth;
import java.util.Properties;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice inlined into pgjdbc where it hands connections out. The three entry points nest (a data
 * source calls {@code Driver.connect}); one call depth makes only the outermost one act. Advice code
 * runs in pgjdbc's class loader, so it touches nothing but {@code java.*} and the hook slots.
 */
final class PgjdbcAdvice {

  private PgjdbcAdvice() {}

  /** {@code org.postgresql.Driver.connect(String url, Properties info)}. */
  static final class DriverConnect {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter() {
      CallDepth.enter(CallDepth.CONNECTION);
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(
        @Advice.Argument(0) String url,
        @Advice.Argument(1) Properties info,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object connection) {
      if (CallDepth.exit(CallDepth.CONNECTION) == 0 && connection != null) {
        connection = BemiHooks.connections.driverConnected(connection, url, info);
      }
    }
  }

  /** {@code org.postgresql.ds.common.BaseDataSource.getConnection(String user, String password)}. */
  static final class DataSourceGetConnection {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter() {
      CallDepth.enter(CallDepth.CONNECTION);
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(
        @Advice.This Object dataSource,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object connection) {
      if (CallDepth.exit(CallDepth.CONNECTION) == 0 && connection != null) {
        connection = BemiHooks.connections.dataSourceConnected(connection, dataSource);
      }
    }
  }

  /** {@code org.postgresql.ds.PGPooledConnection.getConnection()} (and {@code PGXAConnection}'s override). */
  static final class PooledGetConnection {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter() {
      CallDepth.enter(CallDepth.CONNECTION);
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object connection) {
      if (CallDepth.exit(CallDepth.CONNECTION) == 0 && connection != null) {
        connection = BemiHooks.connections.pooledConnectionHandedOut(connection);
      }
    }
  }
}
