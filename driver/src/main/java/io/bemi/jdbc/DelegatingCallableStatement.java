package io.bemi.jdbc;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.*;
import java.util.Calendar;
import java.util.Map;

/**
 * Forwards the methods that {@link CallableStatement} adds to its parent interface, in alphabetical order.
 */
@SuppressWarnings({"deprecation", "unused"})
abstract class DelegatingCallableStatement extends BemiPreparedStatement implements CallableStatement {

  final CallableStatement callable;

  DelegatingCallableStatement(BemiConnection connection, CallableStatement callable, String sql) {
    super(connection, callable, sql, GeneratedKeys.NONE);
    this.callable = callable;
  }

  @Override
  public Array getArray(String arg1) throws SQLException {
    return callable.getArray(arg1);
  }

  @Override
  public Array getArray(int arg1) throws SQLException {
    return callable.getArray(arg1);
  }

  @Override
  public BigDecimal getBigDecimal(String arg1) throws SQLException {
    return callable.getBigDecimal(arg1);
  }

  @Deprecated
  @Override
  public BigDecimal getBigDecimal(int arg1, int arg2) throws SQLException {
    return callable.getBigDecimal(arg1, arg2);
  }

  @Override
  public BigDecimal getBigDecimal(int arg1) throws SQLException {
    return callable.getBigDecimal(arg1);
  }

  @Override
  public Blob getBlob(String arg1) throws SQLException {
    return callable.getBlob(arg1);
  }

  @Override
  public Blob getBlob(int arg1) throws SQLException {
    return callable.getBlob(arg1);
  }

  @Override
  public boolean getBoolean(String arg1) throws SQLException {
    return callable.getBoolean(arg1);
  }

  @Override
  public boolean getBoolean(int arg1) throws SQLException {
    return callable.getBoolean(arg1);
  }

  @Override
  public byte getByte(String arg1) throws SQLException {
    return callable.getByte(arg1);
  }

  @Override
  public byte getByte(int arg1) throws SQLException {
    return callable.getByte(arg1);
  }

  @Override
  public byte[] getBytes(String arg1) throws SQLException {
    return callable.getBytes(arg1);
  }

  @Override
  public byte[] getBytes(int arg1) throws SQLException {
    return callable.getBytes(arg1);
  }

  @Override
  public Reader getCharacterStream(String arg1) throws SQLException {
    return callable.getCharacterStream(arg1);
  }

  @Override
  public Reader getCharacterStream(int arg1) throws SQLException {
    return callable.getCharacterStream(arg1);
  }

  @Override
  public Clob getClob(String arg1) throws SQLException {
    return callable.getClob(arg1);
  }

  @Override
  public Clob getClob(int arg1) throws SQLException {
    return callable.getClob(arg1);
  }

  @Override
  public Date getDate(String arg1, Calendar arg2) throws SQLException {
    return callable.getDate(arg1, arg2);
  }

  @Override
  public Date getDate(String arg1) throws SQLException {
    return callable.getDate(arg1);
  }

  @Override
  public Date getDate(int arg1, Calendar arg2) throws SQLException {
    return callable.getDate(arg1, arg2);
  }

  @Override
  public Date getDate(int arg1) throws SQLException {
    return callable.getDate(arg1);
  }

  @Override
  public double getDouble(String arg1) throws SQLException {
    return callable.getDouble(arg1);
  }

  @Override
  public double getDouble(int arg1) throws SQLException {
    return callable.getDouble(arg1);
  }

  @Override
  public float getFloat(String arg1) throws SQLException {
    return callable.getFloat(arg1);
  }

  @Override
  public float getFloat(int arg1) throws SQLException {
    return callable.getFloat(arg1);
  }

  @Override
  public int getInt(String arg1) throws SQLException {
    return callable.getInt(arg1);
  }

  @Override
  public int getInt(int arg1) throws SQLException {
    return callable.getInt(arg1);
  }

  @Override
  public long getLong(String arg1) throws SQLException {
    return callable.getLong(arg1);
  }

  @Override
  public long getLong(int arg1) throws SQLException {
    return callable.getLong(arg1);
  }

  @Override
  public Reader getNCharacterStream(String arg1) throws SQLException {
    return callable.getNCharacterStream(arg1);
  }

  @Override
  public Reader getNCharacterStream(int arg1) throws SQLException {
    return callable.getNCharacterStream(arg1);
  }

  @Override
  public NClob getNClob(String arg1) throws SQLException {
    return callable.getNClob(arg1);
  }

  @Override
  public NClob getNClob(int arg1) throws SQLException {
    return callable.getNClob(arg1);
  }

  @Override
  public String getNString(String arg1) throws SQLException {
    return callable.getNString(arg1);
  }

  @Override
  public String getNString(int arg1) throws SQLException {
    return callable.getNString(arg1);
  }

  @Override
  public <T> T getObject(String arg1, Class<T> arg2) throws SQLException {
    return callable.getObject(arg1, arg2);
  }

  @Override
  public Object getObject(String arg1, Map<String, Class<?>> arg2) throws SQLException {
    return callable.getObject(arg1, arg2);
  }

  @Override
  public Object getObject(String arg1) throws SQLException {
    return callable.getObject(arg1);
  }

  @Override
  public <T> T getObject(int arg1, Class<T> arg2) throws SQLException {
    return callable.getObject(arg1, arg2);
  }

  @Override
  public Object getObject(int arg1, Map<String, Class<?>> arg2) throws SQLException {
    return callable.getObject(arg1, arg2);
  }

  @Override
  public Object getObject(int arg1) throws SQLException {
    return callable.getObject(arg1);
  }

  @Override
  public Ref getRef(String arg1) throws SQLException {
    return callable.getRef(arg1);
  }

  @Override
  public Ref getRef(int arg1) throws SQLException {
    return callable.getRef(arg1);
  }

  @Override
  public RowId getRowId(String arg1) throws SQLException {
    return callable.getRowId(arg1);
  }

  @Override
  public RowId getRowId(int arg1) throws SQLException {
    return callable.getRowId(arg1);
  }

  @Override
  public SQLXML getSQLXML(String arg1) throws SQLException {
    return callable.getSQLXML(arg1);
  }

  @Override
  public SQLXML getSQLXML(int arg1) throws SQLException {
    return callable.getSQLXML(arg1);
  }

  @Override
  public short getShort(String arg1) throws SQLException {
    return callable.getShort(arg1);
  }

  @Override
  public short getShort(int arg1) throws SQLException {
    return callable.getShort(arg1);
  }

  @Override
  public String getString(String arg1) throws SQLException {
    return callable.getString(arg1);
  }

  @Override
  public String getString(int arg1) throws SQLException {
    return callable.getString(arg1);
  }

  @Override
  public Time getTime(String arg1, Calendar arg2) throws SQLException {
    return callable.getTime(arg1, arg2);
  }

  @Override
  public Time getTime(String arg1) throws SQLException {
    return callable.getTime(arg1);
  }

  @Override
  public Time getTime(int arg1, Calendar arg2) throws SQLException {
    return callable.getTime(arg1, arg2);
  }

  @Override
  public Time getTime(int arg1) throws SQLException {
    return callable.getTime(arg1);
  }

  @Override
  public Timestamp getTimestamp(String arg1, Calendar arg2) throws SQLException {
    return callable.getTimestamp(arg1, arg2);
  }

  @Override
  public Timestamp getTimestamp(String arg1) throws SQLException {
    return callable.getTimestamp(arg1);
  }

  @Override
  public Timestamp getTimestamp(int arg1, Calendar arg2) throws SQLException {
    return callable.getTimestamp(arg1, arg2);
  }

  @Override
  public Timestamp getTimestamp(int arg1) throws SQLException {
    return callable.getTimestamp(arg1);
  }

  @Override
  public URL getURL(String arg1) throws SQLException {
    return callable.getURL(arg1);
  }

  @Override
  public URL getURL(int arg1) throws SQLException {
    return callable.getURL(arg1);
  }

  @Override
  public void registerOutParameter(String arg1, int arg2, String arg3) throws SQLException {
    callable.registerOutParameter(arg1, arg2, arg3);
  }

  @Override
  public void registerOutParameter(String arg1, int arg2, int arg3) throws SQLException {
    callable.registerOutParameter(arg1, arg2, arg3);
  }

  @Override
  public void registerOutParameter(String arg1, int arg2) throws SQLException {
    callable.registerOutParameter(arg1, arg2);
  }

  @Override
  public void registerOutParameter(String arg1, SQLType arg2, String arg3) throws SQLException {
    callable.registerOutParameter(arg1, arg2, arg3);
  }

  @Override
  public void registerOutParameter(String arg1, SQLType arg2, int arg3) throws SQLException {
    callable.registerOutParameter(arg1, arg2, arg3);
  }

  @Override
  public void registerOutParameter(String arg1, SQLType arg2) throws SQLException {
    callable.registerOutParameter(arg1, arg2);
  }

  @Override
  public void registerOutParameter(int arg1, int arg2, String arg3) throws SQLException {
    callable.registerOutParameter(arg1, arg2, arg3);
  }

  @Override
  public void registerOutParameter(int arg1, int arg2, int arg3) throws SQLException {
    callable.registerOutParameter(arg1, arg2, arg3);
  }

  @Override
  public void registerOutParameter(int arg1, int arg2) throws SQLException {
    callable.registerOutParameter(arg1, arg2);
  }

  @Override
  public void registerOutParameter(int arg1, SQLType arg2, String arg3) throws SQLException {
    callable.registerOutParameter(arg1, arg2, arg3);
  }

  @Override
  public void registerOutParameter(int arg1, SQLType arg2, int arg3) throws SQLException {
    callable.registerOutParameter(arg1, arg2, arg3);
  }

  @Override
  public void registerOutParameter(int arg1, SQLType arg2) throws SQLException {
    callable.registerOutParameter(arg1, arg2);
  }

  @Override
  public void setAsciiStream(String arg1, InputStream arg2, int arg3) throws SQLException {
    callable.setAsciiStream(arg1, arg2, arg3);
  }

  @Override
  public void setAsciiStream(String arg1, InputStream arg2, long arg3) throws SQLException {
    callable.setAsciiStream(arg1, arg2, arg3);
  }

  @Override
  public void setAsciiStream(String arg1, InputStream arg2) throws SQLException {
    callable.setAsciiStream(arg1, arg2);
  }

  @Override
  public void setBigDecimal(String arg1, BigDecimal arg2) throws SQLException {
    callable.setBigDecimal(arg1, arg2);
  }

  @Override
  public void setBinaryStream(String arg1, InputStream arg2, int arg3) throws SQLException {
    callable.setBinaryStream(arg1, arg2, arg3);
  }

  @Override
  public void setBinaryStream(String arg1, InputStream arg2, long arg3) throws SQLException {
    callable.setBinaryStream(arg1, arg2, arg3);
  }

  @Override
  public void setBinaryStream(String arg1, InputStream arg2) throws SQLException {
    callable.setBinaryStream(arg1, arg2);
  }

  @Override
  public void setBlob(String arg1, InputStream arg2, long arg3) throws SQLException {
    callable.setBlob(arg1, arg2, arg3);
  }

  @Override
  public void setBlob(String arg1, InputStream arg2) throws SQLException {
    callable.setBlob(arg1, arg2);
  }

  @Override
  public void setBlob(String arg1, Blob arg2) throws SQLException {
    callable.setBlob(arg1, arg2);
  }

  @Override
  public void setBoolean(String arg1, boolean arg2) throws SQLException {
    callable.setBoolean(arg1, arg2);
  }

  @Override
  public void setByte(String arg1, byte arg2) throws SQLException {
    callable.setByte(arg1, arg2);
  }

  @Override
  public void setBytes(String arg1, byte[] arg2) throws SQLException {
    callable.setBytes(arg1, arg2);
  }

  @Override
  public void setCharacterStream(String arg1, Reader arg2, int arg3) throws SQLException {
    callable.setCharacterStream(arg1, arg2, arg3);
  }

  @Override
  public void setCharacterStream(String arg1, Reader arg2, long arg3) throws SQLException {
    callable.setCharacterStream(arg1, arg2, arg3);
  }

  @Override
  public void setCharacterStream(String arg1, Reader arg2) throws SQLException {
    callable.setCharacterStream(arg1, arg2);
  }

  @Override
  public void setClob(String arg1, Reader arg2, long arg3) throws SQLException {
    callable.setClob(arg1, arg2, arg3);
  }

  @Override
  public void setClob(String arg1, Reader arg2) throws SQLException {
    callable.setClob(arg1, arg2);
  }

  @Override
  public void setClob(String arg1, Clob arg2) throws SQLException {
    callable.setClob(arg1, arg2);
  }

  @Override
  public void setDate(String arg1, Date arg2, Calendar arg3) throws SQLException {
    callable.setDate(arg1, arg2, arg3);
  }

  @Override
  public void setDate(String arg1, Date arg2) throws SQLException {
    callable.setDate(arg1, arg2);
  }

  @Override
  public void setDouble(String arg1, double arg2) throws SQLException {
    callable.setDouble(arg1, arg2);
  }

  @Override
  public void setFloat(String arg1, float arg2) throws SQLException {
    callable.setFloat(arg1, arg2);
  }

  @Override
  public void setInt(String arg1, int arg2) throws SQLException {
    callable.setInt(arg1, arg2);
  }

  @Override
  public void setLong(String arg1, long arg2) throws SQLException {
    callable.setLong(arg1, arg2);
  }

  @Override
  public void setNCharacterStream(String arg1, Reader arg2, long arg3) throws SQLException {
    callable.setNCharacterStream(arg1, arg2, arg3);
  }

  @Override
  public void setNCharacterStream(String arg1, Reader arg2) throws SQLException {
    callable.setNCharacterStream(arg1, arg2);
  }

  @Override
  public void setNClob(String arg1, Reader arg2, long arg3) throws SQLException {
    callable.setNClob(arg1, arg2, arg3);
  }

  @Override
  public void setNClob(String arg1, Reader arg2) throws SQLException {
    callable.setNClob(arg1, arg2);
  }

  @Override
  public void setNClob(String arg1, NClob arg2) throws SQLException {
    callable.setNClob(arg1, arg2);
  }

  @Override
  public void setNString(String arg1, String arg2) throws SQLException {
    callable.setNString(arg1, arg2);
  }

  @Override
  public void setNull(String arg1, int arg2, String arg3) throws SQLException {
    callable.setNull(arg1, arg2, arg3);
  }

  @Override
  public void setNull(String arg1, int arg2) throws SQLException {
    callable.setNull(arg1, arg2);
  }

  @Override
  public void setObject(String arg1, Object arg2, int arg3, int arg4) throws SQLException {
    callable.setObject(arg1, arg2, arg3, arg4);
  }

  @Override
  public void setObject(String arg1, Object arg2, int arg3) throws SQLException {
    callable.setObject(arg1, arg2, arg3);
  }

  @Override
  public void setObject(String arg1, Object arg2, SQLType arg3, int arg4) throws SQLException {
    callable.setObject(arg1, arg2, arg3, arg4);
  }

  @Override
  public void setObject(String arg1, Object arg2, SQLType arg3) throws SQLException {
    callable.setObject(arg1, arg2, arg3);
  }

  @Override
  public void setObject(String arg1, Object arg2) throws SQLException {
    callable.setObject(arg1, arg2);
  }

  @Override
  public void setRowId(String arg1, RowId arg2) throws SQLException {
    callable.setRowId(arg1, arg2);
  }

  @Override
  public void setSQLXML(String arg1, SQLXML arg2) throws SQLException {
    callable.setSQLXML(arg1, arg2);
  }

  @Override
  public void setShort(String arg1, short arg2) throws SQLException {
    callable.setShort(arg1, arg2);
  }

  @Override
  public void setString(String arg1, String arg2) throws SQLException {
    callable.setString(arg1, arg2);
  }

  @Override
  public void setTime(String arg1, Time arg2, Calendar arg3) throws SQLException {
    callable.setTime(arg1, arg2, arg3);
  }

  @Override
  public void setTime(String arg1, Time arg2) throws SQLException {
    callable.setTime(arg1, arg2);
  }

  @Override
  public void setTimestamp(String arg1, Timestamp arg2, Calendar arg3) throws SQLException {
    callable.setTimestamp(arg1, arg2, arg3);
  }

  @Override
  public void setTimestamp(String arg1, Timestamp arg2) throws SQLException {
    callable.setTimestamp(arg1, arg2);
  }

  @Override
  public void setURL(String arg1, URL arg2) throws SQLException {
    callable.setURL(arg1, arg2);
  }

  @Override
  public boolean wasNull() throws SQLException {
    return callable.wasNull();
  }
}
