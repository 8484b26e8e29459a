package io.bemi.jdbc;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.*;
import java.util.Calendar;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * Forwards every {@link Statement} method to the wrapped object. Subclasses override only the
 * methods that add behaviour. Boilerplate: one method per interface method, in alphabetical order;
 * {@code unwrap} reaches through to the wrapped object.
 */
@SuppressWarnings({"deprecation", "unused"})
abstract class DelegatingStatement implements Statement {

  final Statement delegate;

  DelegatingStatement(Statement delegate) {
    this.delegate = delegate;
  }

  @Override
  public void addBatch(String arg1) throws SQLException {
    delegate.addBatch(arg1);
  }

  @Override
  public void cancel() throws SQLException {
    delegate.cancel();
  }

  @Override
  public void clearBatch() throws SQLException {
    delegate.clearBatch();
  }

  @Override
  public void clearWarnings() throws SQLException {
    delegate.clearWarnings();
  }

  @Override
  public void close() throws SQLException {
    delegate.close();
  }

  @Override
  public void closeOnCompletion() throws SQLException {
    delegate.closeOnCompletion();
  }

  @Override
  public String enquoteIdentifier(String arg1, boolean arg2) throws SQLException {
    return delegate.enquoteIdentifier(arg1, arg2);
  }

  @Override
  public String enquoteLiteral(String arg1) throws SQLException {
    return delegate.enquoteLiteral(arg1);
  }

  @Override
  public String enquoteNCharLiteral(String arg1) throws SQLException {
    return delegate.enquoteNCharLiteral(arg1);
  }

  @Override
  public boolean execute(String arg1, int[] arg2) throws SQLException {
    return delegate.execute(arg1, arg2);
  }

  @Override
  public boolean execute(String arg1, String[] arg2) throws SQLException {
    return delegate.execute(arg1, arg2);
  }

  @Override
  public boolean execute(String arg1, int arg2) throws SQLException {
    return delegate.execute(arg1, arg2);
  }

  @Override
  public boolean execute(String arg1) throws SQLException {
    return delegate.execute(arg1);
  }

  @Override
  public int[] executeBatch() throws SQLException {
    return delegate.executeBatch();
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    return delegate.executeLargeBatch();
  }

  @Override
  public long executeLargeUpdate(String arg1, int[] arg2) throws SQLException {
    return delegate.executeLargeUpdate(arg1, arg2);
  }

  @Override
  public long executeLargeUpdate(String arg1, String[] arg2) throws SQLException {
    return delegate.executeLargeUpdate(arg1, arg2);
  }

  @Override
  public long executeLargeUpdate(String arg1, int arg2) throws SQLException {
    return delegate.executeLargeUpdate(arg1, arg2);
  }

  @Override
  public long executeLargeUpdate(String arg1) throws SQLException {
    return delegate.executeLargeUpdate(arg1);
  }

  @Override
  public ResultSet executeQuery(String arg1) throws SQLException {
    return delegate.executeQuery(arg1);
  }

  @Override
  public int executeUpdate(String arg1, int[] arg2) throws SQLException {
    return delegate.executeUpdate(arg1, arg2);
  }

  @Override
  public int executeUpdate(String arg1, String[] arg2) throws SQLException {
    return delegate.executeUpdate(arg1, arg2);
  }

  @Override
  public int executeUpdate(String arg1, int arg2) throws SQLException {
    return delegate.executeUpdate(arg1, arg2);
  }

  @Override
  public int executeUpdate(String arg1) throws SQLException {
    return delegate.executeUpdate(arg1);
  }

  @Override
  public Connection getConnection() throws SQLException {
    return delegate.getConnection();
  }

  @Override
  public int getFetchDirection() throws SQLException {
    return delegate.getFetchDirection();
  }

  @Override
  public int getFetchSize() throws SQLException {
    return delegate.getFetchSize();
  }

  @Override
  public ResultSet getGeneratedKeys() throws SQLException {
    return delegate.getGeneratedKeys();
  }

  @Override
  public long getLargeMaxRows() throws SQLException {
    return delegate.getLargeMaxRows();
  }

  @Override
  public long getLargeUpdateCount() throws SQLException {
    return delegate.getLargeUpdateCount();
  }

  @Override
  public int getMaxFieldSize() throws SQLException {
    return delegate.getMaxFieldSize();
  }

  @Override
  public int getMaxRows() throws SQLException {
    return delegate.getMaxRows();
  }

  @Override
  public boolean getMoreResults() throws SQLException {
    return delegate.getMoreResults();
  }

  @Override
  public boolean getMoreResults(int arg1) throws SQLException {
    return delegate.getMoreResults(arg1);
  }

  @Override
  public int getQueryTimeout() throws SQLException {
    return delegate.getQueryTimeout();
  }

  @Override
  public ResultSet getResultSet() throws SQLException {
    return delegate.getResultSet();
  }

  @Override
  public int getResultSetConcurrency() throws SQLException {
    return delegate.getResultSetConcurrency();
  }

  @Override
  public int getResultSetHoldability() throws SQLException {
    return delegate.getResultSetHoldability();
  }

  @Override
  public int getResultSetType() throws SQLException {
    return delegate.getResultSetType();
  }

  @Override
  public int getUpdateCount() throws SQLException {
    return delegate.getUpdateCount();
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    return delegate.getWarnings();
  }

  @Override
  public boolean isCloseOnCompletion() throws SQLException {
    return delegate.isCloseOnCompletion();
  }

  @Override
  public boolean isClosed() throws SQLException {
    return delegate.isClosed();
  }

  @Override
  public boolean isPoolable() throws SQLException {
    return delegate.isPoolable();
  }

  @Override
  public boolean isSimpleIdentifier(String arg1) throws SQLException {
    return delegate.isSimpleIdentifier(arg1);
  }

  @Override
  public void setCursorName(String arg1) throws SQLException {
    delegate.setCursorName(arg1);
  }

  @Override
  public void setEscapeProcessing(boolean arg1) throws SQLException {
    delegate.setEscapeProcessing(arg1);
  }

  @Override
  public void setFetchDirection(int arg1) throws SQLException {
    delegate.setFetchDirection(arg1);
  }

  @Override
  public void setFetchSize(int arg1) throws SQLException {
    delegate.setFetchSize(arg1);
  }

  @Override
  public void setLargeMaxRows(long arg1) throws SQLException {
    delegate.setLargeMaxRows(arg1);
  }

  @Override
  public void setMaxFieldSize(int arg1) throws SQLException {
    delegate.setMaxFieldSize(arg1);
  }

  @Override
  public void setMaxRows(int arg1) throws SQLException {
    delegate.setMaxRows(arg1);
  }

  @Override
  public void setPoolable(boolean arg1) throws SQLException {
    delegate.setPoolable(arg1);
  }

  @Override
  public void setQueryTimeout(int arg1) throws SQLException {
    delegate.setQueryTimeout(arg1);
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + delegate + "]";
  }
}
