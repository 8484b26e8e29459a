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
 * Forwards every {@link ResultSet} method to the wrapped object. Subclasses override only the
 * methods that add behaviour. Boilerplate: one method per interface method, in alphabetical order;
 * {@code unwrap} reaches through to the wrapped object.
 */
@SuppressWarnings({"deprecation", "unused"})
abstract class DelegatingResultSet implements ResultSet {

  final ResultSet delegate;

  DelegatingResultSet(ResultSet delegate) {
    this.delegate = delegate;
  }

  @Override
  public boolean absolute(int arg1) throws SQLException {
    return delegate.absolute(arg1);
  }

  @Override
  public void afterLast() throws SQLException {
    delegate.afterLast();
  }

  @Override
  public void beforeFirst() throws SQLException {
    delegate.beforeFirst();
  }

  @Override
  public void cancelRowUpdates() throws SQLException {
    delegate.cancelRowUpdates();
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
  public void deleteRow() throws SQLException {
    delegate.deleteRow();
  }

  @Override
  public int findColumn(String arg1) throws SQLException {
    return delegate.findColumn(arg1);
  }

  @Override
  public boolean first() throws SQLException {
    return delegate.first();
  }

  @Override
  public Array getArray(String arg1) throws SQLException {
    return delegate.getArray(arg1);
  }

  @Override
  public Array getArray(int arg1) throws SQLException {
    return delegate.getArray(arg1);
  }

  @Override
  public InputStream getAsciiStream(String arg1) throws SQLException {
    return delegate.getAsciiStream(arg1);
  }

  @Override
  public InputStream getAsciiStream(int arg1) throws SQLException {
    return delegate.getAsciiStream(arg1);
  }

  @Deprecated
  @Override
  public BigDecimal getBigDecimal(String arg1, int arg2) throws SQLException {
    return delegate.getBigDecimal(arg1, arg2);
  }

  @Override
  public BigDecimal getBigDecimal(String arg1) throws SQLException {
    return delegate.getBigDecimal(arg1);
  }

  @Deprecated
  @Override
  public BigDecimal getBigDecimal(int arg1, int arg2) throws SQLException {
    return delegate.getBigDecimal(arg1, arg2);
  }

  @Override
  public BigDecimal getBigDecimal(int arg1) throws SQLException {
    return delegate.getBigDecimal(arg1);
  }

  @Override
  public InputStream getBinaryStream(String arg1) throws SQLException {
    return delegate.getBinaryStream(arg1);
  }

  @Override
  public InputStream getBinaryStream(int arg1) throws SQLException {
    return delegate.getBinaryStream(arg1);
  }

  @Override
  public Blob getBlob(String arg1) throws SQLException {
    return delegate.getBlob(arg1);
  }

  @Override
  public Blob getBlob(int arg1) throws SQLException {
    return delegate.getBlob(arg1);
  }

  @Override
  public boolean getBoolean(String arg1) throws SQLException {
    return delegate.getBoolean(arg1);
  }

  @Override
  public boolean getBoolean(int arg1) throws SQLException {
    return delegate.getBoolean(arg1);
  }

  @Override
  public byte getByte(String arg1) throws SQLException {
    return delegate.getByte(arg1);
  }

  @Override
  public byte getByte(int arg1) throws SQLException {
    return delegate.getByte(arg1);
  }

  @Override
  public byte[] getBytes(String arg1) throws SQLException {
    return delegate.getBytes(arg1);
  }

  @Override
  public byte[] getBytes(int arg1) throws SQLException {
    return delegate.getBytes(arg1);
  }

  @Override
  public Reader getCharacterStream(String arg1) throws SQLException {
    return delegate.getCharacterStream(arg1);
  }

  @Override
  public Reader getCharacterStream(int arg1) throws SQLException {
    return delegate.getCharacterStream(arg1);
  }

  @Override
  public Clob getClob(String arg1) throws SQLException {
    return delegate.getClob(arg1);
  }

  @Override
  public Clob getClob(int arg1) throws SQLException {
    return delegate.getClob(arg1);
  }

  @Override
  public int getConcurrency() throws SQLException {
    return delegate.getConcurrency();
  }

  @Override
  public String getCursorName() throws SQLException {
    return delegate.getCursorName();
  }

  @Override
  public Date getDate(String arg1, Calendar arg2) throws SQLException {
    return delegate.getDate(arg1, arg2);
  }

  @Override
  public Date getDate(String arg1) throws SQLException {
    return delegate.getDate(arg1);
  }

  @Override
  public Date getDate(int arg1, Calendar arg2) throws SQLException {
    return delegate.getDate(arg1, arg2);
  }

  @Override
  public Date getDate(int arg1) throws SQLException {
    return delegate.getDate(arg1);
  }

  @Override
  public double getDouble(String arg1) throws SQLException {
    return delegate.getDouble(arg1);
  }

  @Override
  public double getDouble(int arg1) throws SQLException {
    return delegate.getDouble(arg1);
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
  public float getFloat(String arg1) throws SQLException {
    return delegate.getFloat(arg1);
  }

  @Override
  public float getFloat(int arg1) throws SQLException {
    return delegate.getFloat(arg1);
  }

  @Override
  public int getHoldability() throws SQLException {
    return delegate.getHoldability();
  }

  @Override
  public int getInt(String arg1) throws SQLException {
    return delegate.getInt(arg1);
  }

  @Override
  public int getInt(int arg1) throws SQLException {
    return delegate.getInt(arg1);
  }

  @Override
  public long getLong(String arg1) throws SQLException {
    return delegate.getLong(arg1);
  }

  @Override
  public long getLong(int arg1) throws SQLException {
    return delegate.getLong(arg1);
  }

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    return delegate.getMetaData();
  }

  @Override
  public Reader getNCharacterStream(String arg1) throws SQLException {
    return delegate.getNCharacterStream(arg1);
  }

  @Override
  public Reader getNCharacterStream(int arg1) throws SQLException {
    return delegate.getNCharacterStream(arg1);
  }

  @Override
  public NClob getNClob(String arg1) throws SQLException {
    return delegate.getNClob(arg1);
  }

  @Override
  public NClob getNClob(int arg1) throws SQLException {
    return delegate.getNClob(arg1);
  }

  @Override
  public String getNString(String arg1) throws SQLException {
    return delegate.getNString(arg1);
  }

  @Override
  public String getNString(int arg1) throws SQLException {
    return delegate.getNString(arg1);
  }

  @Override
  public <T> T getObject(String arg1, Class<T> arg2) throws SQLException {
    return delegate.getObject(arg1, arg2);
  }

  @Override
  public Object getObject(String arg1, Map<String, Class<?>> arg2) throws SQLException {
    return delegate.getObject(arg1, arg2);
  }

  @Override
  public Object getObject(String arg1) throws SQLException {
    return delegate.getObject(arg1);
  }

  @Override
  public <T> T getObject(int arg1, Class<T> arg2) throws SQLException {
    return delegate.getObject(arg1, arg2);
  }

  @Override
  public Object getObject(int arg1, Map<String, Class<?>> arg2) throws SQLException {
    return delegate.getObject(arg1, arg2);
  }

  @Override
  public Object getObject(int arg1) throws SQLException {
    return delegate.getObject(arg1);
  }

  @Override
  public Ref getRef(String arg1) throws SQLException {
    return delegate.getRef(arg1);
  }

  @Override
  public Ref getRef(int arg1) throws SQLException {
    return delegate.getRef(arg1);
  }

  @Override
  public int getRow() throws SQLException {
    return delegate.getRow();
  }

  @Override
  public RowId getRowId(String arg1) throws SQLException {
    return delegate.getRowId(arg1);
  }

  @Override
  public RowId getRowId(int arg1) throws SQLException {
    return delegate.getRowId(arg1);
  }

  @Override
  public SQLXML getSQLXML(String arg1) throws SQLException {
    return delegate.getSQLXML(arg1);
  }

  @Override
  public SQLXML getSQLXML(int arg1) throws SQLException {
    return delegate.getSQLXML(arg1);
  }

  @Override
  public short getShort(String arg1) throws SQLException {
    return delegate.getShort(arg1);
  }

  @Override
  public short getShort(int arg1) throws SQLException {
    return delegate.getShort(arg1);
  }

  @Override
  public Statement getStatement() throws SQLException {
    return delegate.getStatement();
  }

  @Override
  public String getString(String arg1) throws SQLException {
    return delegate.getString(arg1);
  }

  @Override
  public String getString(int arg1) throws SQLException {
    return delegate.getString(arg1);
  }

  @Override
  public Time getTime(String arg1, Calendar arg2) throws SQLException {
    return delegate.getTime(arg1, arg2);
  }

  @Override
  public Time getTime(String arg1) throws SQLException {
    return delegate.getTime(arg1);
  }

  @Override
  public Time getTime(int arg1, Calendar arg2) throws SQLException {
    return delegate.getTime(arg1, arg2);
  }

  @Override
  public Time getTime(int arg1) throws SQLException {
    return delegate.getTime(arg1);
  }

  @Override
  public Timestamp getTimestamp(String arg1, Calendar arg2) throws SQLException {
    return delegate.getTimestamp(arg1, arg2);
  }

  @Override
  public Timestamp getTimestamp(String arg1) throws SQLException {
    return delegate.getTimestamp(arg1);
  }

  @Override
  public Timestamp getTimestamp(int arg1, Calendar arg2) throws SQLException {
    return delegate.getTimestamp(arg1, arg2);
  }

  @Override
  public Timestamp getTimestamp(int arg1) throws SQLException {
    return delegate.getTimestamp(arg1);
  }

  @Override
  public int getType() throws SQLException {
    return delegate.getType();
  }

  @Override
  public URL getURL(String arg1) throws SQLException {
    return delegate.getURL(arg1);
  }

  @Override
  public URL getURL(int arg1) throws SQLException {
    return delegate.getURL(arg1);
  }

  @Deprecated
  @Override
  public InputStream getUnicodeStream(String arg1) throws SQLException {
    return delegate.getUnicodeStream(arg1);
  }

  @Deprecated
  @Override
  public InputStream getUnicodeStream(int arg1) throws SQLException {
    return delegate.getUnicodeStream(arg1);
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    return delegate.getWarnings();
  }

  @Override
  public void insertRow() throws SQLException {
    delegate.insertRow();
  }

  @Override
  public boolean isAfterLast() throws SQLException {
    return delegate.isAfterLast();
  }

  @Override
  public boolean isBeforeFirst() throws SQLException {
    return delegate.isBeforeFirst();
  }

  @Override
  public boolean isClosed() throws SQLException {
    return delegate.isClosed();
  }

  @Override
  public boolean isFirst() throws SQLException {
    return delegate.isFirst();
  }

  @Override
  public boolean isLast() throws SQLException {
    return delegate.isLast();
  }

  @Override
  public boolean last() throws SQLException {
    return delegate.last();
  }

  @Override
  public void moveToCurrentRow() throws SQLException {
    delegate.moveToCurrentRow();
  }

  @Override
  public void moveToInsertRow() throws SQLException {
    delegate.moveToInsertRow();
  }

  @Override
  public boolean next() throws SQLException {
    return delegate.next();
  }

  @Override
  public boolean previous() throws SQLException {
    return delegate.previous();
  }

  @Override
  public void refreshRow() throws SQLException {
    delegate.refreshRow();
  }

  @Override
  public boolean relative(int arg1) throws SQLException {
    return delegate.relative(arg1);
  }

  @Override
  public boolean rowDeleted() throws SQLException {
    return delegate.rowDeleted();
  }

  @Override
  public boolean rowInserted() throws SQLException {
    return delegate.rowInserted();
  }

  @Override
  public boolean rowUpdated() throws SQLException {
    return delegate.rowUpdated();
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
  public void updateArray(String arg1, Array arg2) throws SQLException {
    delegate.updateArray(arg1, arg2);
  }

  @Override
  public void updateArray(int arg1, Array arg2) throws SQLException {
    delegate.updateArray(arg1, arg2);
  }

  @Override
  public void updateAsciiStream(String arg1, InputStream arg2, int arg3) throws SQLException {
    delegate.updateAsciiStream(arg1, arg2, arg3);
  }

  @Override
  public void updateAsciiStream(String arg1, InputStream arg2, long arg3) throws SQLException {
    delegate.updateAsciiStream(arg1, arg2, arg3);
  }

  @Override
  public void updateAsciiStream(String arg1, InputStream arg2) throws SQLException {
    delegate.updateAsciiStream(arg1, arg2);
  }

  @Override
  public void updateAsciiStream(int arg1, InputStream arg2, int arg3) throws SQLException {
    delegate.updateAsciiStream(arg1, arg2, arg3);
  }

  @Override
  public void updateAsciiStream(int arg1, InputStream arg2, long arg3) throws SQLException {
    delegate.updateAsciiStream(arg1, arg2, arg3);
  }

  @Override
  public void updateAsciiStream(int arg1, InputStream arg2) throws SQLException {
    delegate.updateAsciiStream(arg1, arg2);
  }

  @Override
  public void updateBigDecimal(String arg1, BigDecimal arg2) throws SQLException {
    delegate.updateBigDecimal(arg1, arg2);
  }

  @Override
  public void updateBigDecimal(int arg1, BigDecimal arg2) throws SQLException {
    delegate.updateBigDecimal(arg1, arg2);
  }

  @Override
  public void updateBinaryStream(String arg1, InputStream arg2, int arg3) throws SQLException {
    delegate.updateBinaryStream(arg1, arg2, arg3);
  }

  @Override
  public void updateBinaryStream(String arg1, InputStream arg2, long arg3) throws SQLException {
    delegate.updateBinaryStream(arg1, arg2, arg3);
  }

  @Override
  public void updateBinaryStream(String arg1, InputStream arg2) throws SQLException {
    delegate.updateBinaryStream(arg1, arg2);
  }

  @Override
  public void updateBinaryStream(int arg1, InputStream arg2, int arg3) throws SQLException {
    delegate.updateBinaryStream(arg1, arg2, arg3);
  }

  @Override
  public void updateBinaryStream(int arg1, InputStream arg2, long arg3) throws SQLException {
    delegate.updateBinaryStream(arg1, arg2, arg3);
  }

  @Override
  public void updateBinaryStream(int arg1, InputStream arg2) throws SQLException {
    delegate.updateBinaryStream(arg1, arg2);
  }

  @Override
  public void updateBlob(String arg1, InputStream arg2, long arg3) throws SQLException {
    delegate.updateBlob(arg1, arg2, arg3);
  }

  @Override
  public void updateBlob(String arg1, InputStream arg2) throws SQLException {
    delegate.updateBlob(arg1, arg2);
  }

  @Override
  public void updateBlob(String arg1, Blob arg2) throws SQLException {
    delegate.updateBlob(arg1, arg2);
  }

  @Override
  public void updateBlob(int arg1, InputStream arg2, long arg3) throws SQLException {
    delegate.updateBlob(arg1, arg2, arg3);
  }

  @Override
  public void updateBlob(int arg1, InputStream arg2) throws SQLException {
    delegate.updateBlob(arg1, arg2);
  }

  @Override
  public void updateBlob(int arg1, Blob arg2) throws SQLException {
    delegate.updateBlob(arg1, arg2);
  }

  @Override
  public void updateBoolean(String arg1, boolean arg2) throws SQLException {
    delegate.updateBoolean(arg1, arg2);
  }

  @Override
  public void updateBoolean(int arg1, boolean arg2) throws SQLException {
    delegate.updateBoolean(arg1, arg2);
  }

  @Override
  public void updateByte(String arg1, byte arg2) throws SQLException {
    delegate.updateByte(arg1, arg2);
  }

  @Override
  public void updateByte(int arg1, byte arg2) throws SQLException {
    delegate.updateByte(arg1, arg2);
  }

  @Override
  public void updateBytes(String arg1, byte[] arg2) throws SQLException {
    delegate.updateBytes(arg1, arg2);
  }

  @Override
  public void updateBytes(int arg1, byte[] arg2) throws SQLException {
    delegate.updateBytes(arg1, arg2);
  }

  @Override
  public void updateCharacterStream(String arg1, Reader arg2, int arg3) throws SQLException {
    delegate.updateCharacterStream(arg1, arg2, arg3);
  }

  @Override
  public void updateCharacterStream(String arg1, Reader arg2, long arg3) throws SQLException {
    delegate.updateCharacterStream(arg1, arg2, arg3);
  }

  @Override
  public void updateCharacterStream(String arg1, Reader arg2) throws SQLException {
    delegate.updateCharacterStream(arg1, arg2);
  }

  @Override
  public void updateCharacterStream(int arg1, Reader arg2, int arg3) throws SQLException {
    delegate.updateCharacterStream(arg1, arg2, arg3);
  }

  @Override
  public void updateCharacterStream(int arg1, Reader arg2, long arg3) throws SQLException {
    delegate.updateCharacterStream(arg1, arg2, arg3);
  }

  @Override
  public void updateCharacterStream(int arg1, Reader arg2) throws SQLException {
    delegate.updateCharacterStream(arg1, arg2);
  }

  @Override
  public void updateClob(String arg1, Reader arg2, long arg3) throws SQLException {
    delegate.updateClob(arg1, arg2, arg3);
  }

  @Override
  public void updateClob(String arg1, Reader arg2) throws SQLException {
    delegate.updateClob(arg1, arg2);
  }

  @Override
  public void updateClob(String arg1, Clob arg2) throws SQLException {
    delegate.updateClob(arg1, arg2);
  }

  @Override
  public void updateClob(int arg1, Reader arg2, long arg3) throws SQLException {
    delegate.updateClob(arg1, arg2, arg3);
  }

  @Override
  public void updateClob(int arg1, Reader arg2) throws SQLException {
    delegate.updateClob(arg1, arg2);
  }

  @Override
  public void updateClob(int arg1, Clob arg2) throws SQLException {
    delegate.updateClob(arg1, arg2);
  }

  @Override
  public void updateDate(String arg1, Date arg2) throws SQLException {
    delegate.updateDate(arg1, arg2);
  }

  @Override
  public void updateDate(int arg1, Date arg2) throws SQLException {
    delegate.updateDate(arg1, arg2);
  }

  @Override
  public void updateDouble(String arg1, double arg2) throws SQLException {
    delegate.updateDouble(arg1, arg2);
  }

  @Override
  public void updateDouble(int arg1, double arg2) throws SQLException {
    delegate.updateDouble(arg1, arg2);
  }

  @Override
  public void updateFloat(String arg1, float arg2) throws SQLException {
    delegate.updateFloat(arg1, arg2);
  }

  @Override
  public void updateFloat(int arg1, float arg2) throws SQLException {
    delegate.updateFloat(arg1, arg2);
  }

  @Override
  public void updateInt(String arg1, int arg2) throws SQLException {
    delegate.updateInt(arg1, arg2);
  }

  @Override
  public void updateInt(int arg1, int arg2) throws SQLException {
    delegate.updateInt(arg1, arg2);
  }

  @Override
  public void updateLong(String arg1, long arg2) throws SQLException {
    delegate.updateLong(arg1, arg2);
  }

  @Override
  public void updateLong(int arg1, long arg2) throws SQLException {
    delegate.updateLong(arg1, arg2);
  }

  @Override
  public void updateNCharacterStream(String arg1, Reader arg2, long arg3) throws SQLException {
    delegate.updateNCharacterStream(arg1, arg2, arg3);
  }

  @Override
  public void updateNCharacterStream(String arg1, Reader arg2) throws SQLException {
    delegate.updateNCharacterStream(arg1, arg2);
  }

  @Override
  public void updateNCharacterStream(int arg1, Reader arg2, long arg3) throws SQLException {
    delegate.updateNCharacterStream(arg1, arg2, arg3);
  }

  @Override
  public void updateNCharacterStream(int arg1, Reader arg2) throws SQLException {
    delegate.updateNCharacterStream(arg1, arg2);
  }

  @Override
  public void updateNClob(String arg1, Reader arg2, long arg3) throws SQLException {
    delegate.updateNClob(arg1, arg2, arg3);
  }

  @Override
  public void updateNClob(String arg1, Reader arg2) throws SQLException {
    delegate.updateNClob(arg1, arg2);
  }

  @Override
  public void updateNClob(String arg1, NClob arg2) throws SQLException {
    delegate.updateNClob(arg1, arg2);
  }

  @Override
  public void updateNClob(int arg1, Reader arg2, long arg3) throws SQLException {
    delegate.updateNClob(arg1, arg2, arg3);
  }

  @Override
  public void updateNClob(int arg1, Reader arg2) throws SQLException {
    delegate.updateNClob(arg1, arg2);
  }

  @Override
  public void updateNClob(int arg1, NClob arg2) throws SQLException {
    delegate.updateNClob(arg1, arg2);
  }

  @Override
  public void updateNString(String arg1, String arg2) throws SQLException {
    delegate.updateNString(arg1, arg2);
  }

  @Override
  public void updateNString(int arg1, String arg2) throws SQLException {
    delegate.updateNString(arg1, arg2);
  }

  @Override
  public void updateNull(String arg1) throws SQLException {
    delegate.updateNull(arg1);
  }

  @Override
  public void updateNull(int arg1) throws SQLException {
    delegate.updateNull(arg1);
  }

  @Override
  public void updateObject(String arg1, Object arg2, int arg3) throws SQLException {
    delegate.updateObject(arg1, arg2, arg3);
  }

  @Override
  public void updateObject(String arg1, Object arg2, SQLType arg3, int arg4) throws SQLException {
    delegate.updateObject(arg1, arg2, arg3, arg4);
  }

  @Override
  public void updateObject(String arg1, Object arg2, SQLType arg3) throws SQLException {
    delegate.updateObject(arg1, arg2, arg3);
  }

  @Override
  public void updateObject(String arg1, Object arg2) throws SQLException {
    delegate.updateObject(arg1, arg2);
  }

  @Override
  public void updateObject(int arg1, Object arg2, int arg3) throws SQLException {
    delegate.updateObject(arg1, arg2, arg3);
  }

  @Override
  public void updateObject(int arg1, Object arg2, SQLType arg3, int arg4) throws SQLException {
    delegate.updateObject(arg1, arg2, arg3, arg4);
  }

  @Override
  public void updateObject(int arg1, Object arg2, SQLType arg3) throws SQLException {
    delegate.updateObject(arg1, arg2, arg3);
  }

  @Override
  public void updateObject(int arg1, Object arg2) throws SQLException {
    delegate.updateObject(arg1, arg2);
  }

  @Override
  public void updateRef(String arg1, Ref arg2) throws SQLException {
    delegate.updateRef(arg1, arg2);
  }

  @Override
  public void updateRef(int arg1, Ref arg2) throws SQLException {
    delegate.updateRef(arg1, arg2);
  }

  @Override
  public void updateRow() throws SQLException {
    delegate.updateRow();
  }

  @Override
  public void updateRowId(String arg1, RowId arg2) throws SQLException {
    delegate.updateRowId(arg1, arg2);
  }

  @Override
  public void updateRowId(int arg1, RowId arg2) throws SQLException {
    delegate.updateRowId(arg1, arg2);
  }

  @Override
  public void updateSQLXML(String arg1, SQLXML arg2) throws SQLException {
    delegate.updateSQLXML(arg1, arg2);
  }

  @Override
  public void updateSQLXML(int arg1, SQLXML arg2) throws SQLException {
    delegate.updateSQLXML(arg1, arg2);
  }

  @Override
  public void updateShort(String arg1, short arg2) throws SQLException {
    delegate.updateShort(arg1, arg2);
  }

  @Override
  public void updateShort(int arg1, short arg2) throws SQLException {
    delegate.updateShort(arg1, arg2);
  }

  @Override
  public void updateString(String arg1, String arg2) throws SQLException {
    delegate.updateString(arg1, arg2);
  }

  @Override
  public void updateString(int arg1, String arg2) throws SQLException {
    delegate.updateString(arg1, arg2);
  }

  @Override
  public void updateTime(String arg1, Time arg2) throws SQLException {
    delegate.updateTime(arg1, arg2);
  }

  @Override
  public void updateTime(int arg1, Time arg2) throws SQLException {
    delegate.updateTime(arg1, arg2);
  }

  @Override
  public void updateTimestamp(String arg1, Timestamp arg2) throws SQLException {
    delegate.updateTimestamp(arg1, arg2);
  }

  @Override
  public void updateTimestamp(int arg1, Timestamp arg2) throws SQLException {
    delegate.updateTimestamp(arg1, arg2);
  }

  @Override
  public boolean wasNull() throws SQLException {
    return delegate.wasNull();
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
