package io.bemi.jdbc;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.*;
import java.util.Calendar;
import java.util.Map;

/**
 * Forwards the methods that {@link PreparedStatement} adds to its parent interface, in alphabetical order.
 * Parameter setters also hand a replayable copy of themselves to {@link #record}, when
 * {@link #recording} is on, so the parameters can be bound again on a stand-in statement.
 */
@SuppressWarnings({"deprecation", "unused"})
abstract class DelegatingPreparedStatement extends BemiStatement implements PreparedStatement {

  final PreparedStatement prepared;
  boolean recording;

  DelegatingPreparedStatement(BemiConnection connection, PreparedStatement prepared) {
    super(connection, prepared);
    this.prepared = prepared;
  }

  /** Receives a copy of a parameter setter; {@code index} is the parameter's 1-based index. */
  abstract void record(int index, Binding binding);

  @Override
  public void addBatch() throws SQLException {
    prepared.addBatch();
  }

  @Override
  public void clearParameters() throws SQLException {
    prepared.clearParameters();
  }

  @Override
  public boolean execute() throws SQLException {
    return prepared.execute();
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    return prepared.executeLargeUpdate();
  }

  @Override
  public ResultSet executeQuery() throws SQLException {
    return prepared.executeQuery();
  }

  @Override
  public int executeUpdate() throws SQLException {
    return prepared.executeUpdate();
  }

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    return prepared.getMetaData();
  }

  @Override
  public ParameterMetaData getParameterMetaData() throws SQLException {
    return prepared.getParameterMetaData();
  }

  @Override
  public void setArray(int arg1, Array arg2) throws SQLException {
    prepared.setArray(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setArray(arg1 + shift, arg2));
    }
  }

  @Override
  public void setAsciiStream(int arg1, InputStream arg2, int arg3) throws SQLException {
    prepared.setAsciiStream(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setAsciiStream(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setAsciiStream(int arg1, InputStream arg2, long arg3) throws SQLException {
    prepared.setAsciiStream(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setAsciiStream(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setAsciiStream(int arg1, InputStream arg2) throws SQLException {
    prepared.setAsciiStream(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setAsciiStream(arg1 + shift, arg2));
    }
  }

  @Override
  public void setBigDecimal(int arg1, BigDecimal arg2) throws SQLException {
    prepared.setBigDecimal(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setBigDecimal(arg1 + shift, arg2));
    }
  }

  @Override
  public void setBinaryStream(int arg1, InputStream arg2, int arg3) throws SQLException {
    prepared.setBinaryStream(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setBinaryStream(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setBinaryStream(int arg1, InputStream arg2, long arg3) throws SQLException {
    prepared.setBinaryStream(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setBinaryStream(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setBinaryStream(int arg1, InputStream arg2) throws SQLException {
    prepared.setBinaryStream(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setBinaryStream(arg1 + shift, arg2));
    }
  }

  @Override
  public void setBlob(int arg1, InputStream arg2, long arg3) throws SQLException {
    prepared.setBlob(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setBlob(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setBlob(int arg1, InputStream arg2) throws SQLException {
    prepared.setBlob(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setBlob(arg1 + shift, arg2));
    }
  }

  @Override
  public void setBlob(int arg1, Blob arg2) throws SQLException {
    prepared.setBlob(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setBlob(arg1 + shift, arg2));
    }
  }

  @Override
  public void setBoolean(int arg1, boolean arg2) throws SQLException {
    prepared.setBoolean(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setBoolean(arg1 + shift, arg2));
    }
  }

  @Override
  public void setByte(int arg1, byte arg2) throws SQLException {
    prepared.setByte(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setByte(arg1 + shift, arg2));
    }
  }

  @Override
  public void setBytes(int arg1, byte[] arg2) throws SQLException {
    prepared.setBytes(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setBytes(arg1 + shift, arg2));
    }
  }

  @Override
  public void setCharacterStream(int arg1, Reader arg2, int arg3) throws SQLException {
    prepared.setCharacterStream(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setCharacterStream(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setCharacterStream(int arg1, Reader arg2, long arg3) throws SQLException {
    prepared.setCharacterStream(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setCharacterStream(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setCharacterStream(int arg1, Reader arg2) throws SQLException {
    prepared.setCharacterStream(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setCharacterStream(arg1 + shift, arg2));
    }
  }

  @Override
  public void setClob(int arg1, Reader arg2, long arg3) throws SQLException {
    prepared.setClob(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setClob(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setClob(int arg1, Reader arg2) throws SQLException {
    prepared.setClob(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setClob(arg1 + shift, arg2));
    }
  }

  @Override
  public void setClob(int arg1, Clob arg2) throws SQLException {
    prepared.setClob(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setClob(arg1 + shift, arg2));
    }
  }

  @Override
  public void setDate(int arg1, Date arg2, Calendar arg3) throws SQLException {
    prepared.setDate(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setDate(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setDate(int arg1, Date arg2) throws SQLException {
    prepared.setDate(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setDate(arg1 + shift, arg2));
    }
  }

  @Override
  public void setDouble(int arg1, double arg2) throws SQLException {
    prepared.setDouble(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setDouble(arg1 + shift, arg2));
    }
  }

  @Override
  public void setFloat(int arg1, float arg2) throws SQLException {
    prepared.setFloat(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setFloat(arg1 + shift, arg2));
    }
  }

  @Override
  public void setInt(int arg1, int arg2) throws SQLException {
    prepared.setInt(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setInt(arg1 + shift, arg2));
    }
  }

  @Override
  public void setLong(int arg1, long arg2) throws SQLException {
    prepared.setLong(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setLong(arg1 + shift, arg2));
    }
  }

  @Override
  public void setNCharacterStream(int arg1, Reader arg2, long arg3) throws SQLException {
    prepared.setNCharacterStream(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setNCharacterStream(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setNCharacterStream(int arg1, Reader arg2) throws SQLException {
    prepared.setNCharacterStream(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setNCharacterStream(arg1 + shift, arg2));
    }
  }

  @Override
  public void setNClob(int arg1, Reader arg2, long arg3) throws SQLException {
    prepared.setNClob(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setNClob(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setNClob(int arg1, Reader arg2) throws SQLException {
    prepared.setNClob(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setNClob(arg1 + shift, arg2));
    }
  }

  @Override
  public void setNClob(int arg1, NClob arg2) throws SQLException {
    prepared.setNClob(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setNClob(arg1 + shift, arg2));
    }
  }

  @Override
  public void setNString(int arg1, String arg2) throws SQLException {
    prepared.setNString(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setNString(arg1 + shift, arg2));
    }
  }

  @Override
  public void setNull(int arg1, int arg2, String arg3) throws SQLException {
    prepared.setNull(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setNull(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setNull(int arg1, int arg2) throws SQLException {
    prepared.setNull(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setNull(arg1 + shift, arg2));
    }
  }

  @Override
  public void setObject(int arg1, Object arg2, int arg3, int arg4) throws SQLException {
    prepared.setObject(arg1, arg2, arg3, arg4);
    if (recording) {
      record(arg1, (target, shift) -> target.setObject(arg1 + shift, arg2, arg3, arg4));
    }
  }

  @Override
  public void setObject(int arg1, Object arg2, int arg3) throws SQLException {
    prepared.setObject(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setObject(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setObject(int arg1, Object arg2, SQLType arg3, int arg4) throws SQLException {
    prepared.setObject(arg1, arg2, arg3, arg4);
    if (recording) {
      record(arg1, (target, shift) -> target.setObject(arg1 + shift, arg2, arg3, arg4));
    }
  }

  @Override
  public void setObject(int arg1, Object arg2, SQLType arg3) throws SQLException {
    prepared.setObject(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setObject(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setObject(int arg1, Object arg2) throws SQLException {
    prepared.setObject(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setObject(arg1 + shift, arg2));
    }
  }

  @Override
  public void setRef(int arg1, Ref arg2) throws SQLException {
    prepared.setRef(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setRef(arg1 + shift, arg2));
    }
  }

  @Override
  public void setRowId(int arg1, RowId arg2) throws SQLException {
    prepared.setRowId(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setRowId(arg1 + shift, arg2));
    }
  }

  @Override
  public void setSQLXML(int arg1, SQLXML arg2) throws SQLException {
    prepared.setSQLXML(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setSQLXML(arg1 + shift, arg2));
    }
  }

  @Override
  public void setShort(int arg1, short arg2) throws SQLException {
    prepared.setShort(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setShort(arg1 + shift, arg2));
    }
  }

  @Override
  public void setString(int arg1, String arg2) throws SQLException {
    prepared.setString(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setString(arg1 + shift, arg2));
    }
  }

  @Override
  public void setTime(int arg1, Time arg2, Calendar arg3) throws SQLException {
    prepared.setTime(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setTime(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setTime(int arg1, Time arg2) throws SQLException {
    prepared.setTime(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setTime(arg1 + shift, arg2));
    }
  }

  @Override
  public void setTimestamp(int arg1, Timestamp arg2, Calendar arg3) throws SQLException {
    prepared.setTimestamp(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setTimestamp(arg1 + shift, arg2, arg3));
    }
  }

  @Override
  public void setTimestamp(int arg1, Timestamp arg2) throws SQLException {
    prepared.setTimestamp(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setTimestamp(arg1 + shift, arg2));
    }
  }

  @Override
  public void setURL(int arg1, URL arg2) throws SQLException {
    prepared.setURL(arg1, arg2);
    if (recording) {
      record(arg1, (target, shift) -> target.setURL(arg1 + shift, arg2));
    }
  }

  @Deprecated
  @Override
  public void setUnicodeStream(int arg1, InputStream arg2, int arg3) throws SQLException {
    prepared.setUnicodeStream(arg1, arg2, arg3);
    if (recording) {
      record(arg1, (target, shift) -> target.setUnicodeStream(arg1 + shift, arg2, arg3));
    }
  }
}
