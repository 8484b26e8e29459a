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
 * Forwards every {@link Connection} method to the wrapped object. Subclasses override only the
 * methods that add behaviour. Boilerplate: one method per interface method, in alphabetical order;
 * {@code unwrap} reaches through to the wrapped object.
 */
@SuppressWarnings({"deprecation", "unused"})
abstract class DelegatingConnection implements Connection {

  final Connection delegate;

  DelegatingConnection(Connection delegate) {
    this.delegate = delegate;
  }

  @Override
  public void abort(Executor arg1) throws SQLException {
    delegate.abort(arg1);
  }

  @Override
  public void beginRequest() throws SQLException {
    delegate.beginRequest();
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
  public void commit() throws SQLException {
    delegate.commit();
  }

  @Override
  public Array createArrayOf(String arg1, Object[] arg2) throws SQLException {
    return delegate.createArrayOf(arg1, arg2);
  }

  @Override
  public Blob createBlob() throws SQLException {
    return delegate.createBlob();
  }

  @Override
  public Clob createClob() throws SQLException {
    return delegate.createClob();
  }

  @Override
  public NClob createNClob() throws SQLException {
    return delegate.createNClob();
  }

  @Override
  public SQLXML createSQLXML() throws SQLException {
    return delegate.createSQLXML();
  }

  @Override
  public Statement createStatement() throws SQLException {
    return delegate.createStatement();
  }

  @Override
  public Statement createStatement(int arg1, int arg2, int arg3) throws SQLException {
    return delegate.createStatement(arg1, arg2, arg3);
  }

  @Override
  public Statement createStatement(int arg1, int arg2) throws SQLException {
    return delegate.createStatement(arg1, arg2);
  }

  @Override
  public Struct createStruct(String arg1, Object[] arg2) throws SQLException {
    return delegate.createStruct(arg1, arg2);
  }

  @Override
  public void endRequest() throws SQLException {
    delegate.endRequest();
  }

  @Override
  public boolean getAutoCommit() throws SQLException {
    return delegate.getAutoCommit();
  }

  @Override
  public String getCatalog() throws SQLException {
    return delegate.getCatalog();
  }

  @Override
  public Properties getClientInfo() throws SQLException {
    return delegate.getClientInfo();
  }

  @Override
  public String getClientInfo(String arg1) throws SQLException {
    return delegate.getClientInfo(arg1);
  }

  @Override
  public int getHoldability() throws SQLException {
    return delegate.getHoldability();
  }

  @Override
  public DatabaseMetaData getMetaData() throws SQLException {
    return delegate.getMetaData();
  }

  @Override
  public int getNetworkTimeout() throws SQLException {
    return delegate.getNetworkTimeout();
  }

  @Override
  public String getSchema() throws SQLException {
    return delegate.getSchema();
  }

  @Override
  public int getTransactionIsolation() throws SQLException {
    return delegate.getTransactionIsolation();
  }

  @Override
  public Map<String, Class<?>> getTypeMap() throws SQLException {
    return delegate.getTypeMap();
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    return delegate.getWarnings();
  }

  @Override
  public boolean isClosed() throws SQLException {
    return delegate.isClosed();
  }

  @Override
  public boolean isReadOnly() throws SQLException {
    return delegate.isReadOnly();
  }

  @Override
  public boolean isValid(int arg1) throws SQLException {
    return delegate.isValid(arg1);
  }

  @Override
  public String nativeSQL(String arg1) throws SQLException {
    return delegate.nativeSQL(arg1);
  }

  @Override
  public CallableStatement prepareCall(String arg1, int arg2, int arg3, int arg4) throws SQLException {
    return delegate.prepareCall(arg1, arg2, arg3, arg4);
  }

  @Override
  public CallableStatement prepareCall(String arg1, int arg2, int arg3) throws SQLException {
    return delegate.prepareCall(arg1, arg2, arg3);
  }

  @Override
  public CallableStatement prepareCall(String arg1) throws SQLException {
    return delegate.prepareCall(arg1);
  }

  @Override
  public PreparedStatement prepareStatement(String arg1, int[] arg2) throws SQLException {
    return delegate.prepareStatement(arg1, arg2);
  }

  @Override
  public PreparedStatement prepareStatement(String arg1, String[] arg2) throws SQLException {
    return delegate.prepareStatement(arg1, arg2);
  }

  @Override
  public PreparedStatement prepareStatement(String arg1, int arg2, int arg3, int arg4) throws SQLException {
    return delegate.prepareStatement(arg1, arg2, arg3, arg4);
  }

  @Override
  public PreparedStatement prepareStatement(String arg1, int arg2, int arg3) throws SQLException {
    return delegate.prepareStatement(arg1, arg2, arg3);
  }

  @Override
  public PreparedStatement prepareStatement(String arg1, int arg2) throws SQLException {
    return delegate.prepareStatement(arg1, arg2);
  }

  @Override
  public PreparedStatement prepareStatement(String arg1) throws SQLException {
    return delegate.prepareStatement(arg1);
  }

  @Override
  public void releaseSavepoint(Savepoint arg1) throws SQLException {
    delegate.releaseSavepoint(arg1);
  }

  @Override
  public void rollback() throws SQLException {
    delegate.rollback();
  }

  @Override
  public void rollback(Savepoint arg1) throws SQLException {
    delegate.rollback(arg1);
  }

  @Override
  public void setAutoCommit(boolean arg1) throws SQLException {
    delegate.setAutoCommit(arg1);
  }

  @Override
  public void setCatalog(String arg1) throws SQLException {
    delegate.setCatalog(arg1);
  }

  @Override
  public void setClientInfo(String arg1, String arg2) throws SQLClientInfoException {
    delegate.setClientInfo(arg1, arg2);
  }

  @Override
  public void setClientInfo(Properties arg1) throws SQLClientInfoException {
    delegate.setClientInfo(arg1);
  }

  @Override
  public void setHoldability(int arg1) throws SQLException {
    delegate.setHoldability(arg1);
  }

  @Override
  public void setNetworkTimeout(Executor arg1, int arg2) throws SQLException {
    delegate.setNetworkTimeout(arg1, arg2);
  }

  @Override
  public void setReadOnly(boolean arg1) throws SQLException {
    delegate.setReadOnly(arg1);
  }

  @Override
  public Savepoint setSavepoint() throws SQLException {
    return delegate.setSavepoint();
  }

  @Override
  public Savepoint setSavepoint(String arg1) throws SQLException {
    return delegate.setSavepoint(arg1);
  }

  @Override
  public void setSchema(String arg1) throws SQLException {
    delegate.setSchema(arg1);
  }

  @Override
  public void setShardingKey(ShardingKey arg1, ShardingKey arg2) throws SQLException {
    delegate.setShardingKey(arg1, arg2);
  }

  @Override
  public void setShardingKey(ShardingKey arg1) throws SQLException {
    delegate.setShardingKey(arg1);
  }

  @Override
  public boolean setShardingKeyIfValid(ShardingKey arg1, int arg2) throws SQLException {
    return delegate.setShardingKeyIfValid(arg1, arg2);
  }

  @Override
  public boolean setShardingKeyIfValid(ShardingKey arg1, ShardingKey arg2, int arg3) throws SQLException {
    return delegate.setShardingKeyIfValid(arg1, arg2, arg3);
  }

  @Override
  public void setTransactionIsolation(int arg1) throws SQLException {
    delegate.setTransactionIsolation(arg1);
  }

  @Override
  public void setTypeMap(Map<String, Class<?>> arg1) throws SQLException {
    delegate.setTypeMap(arg1);
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
