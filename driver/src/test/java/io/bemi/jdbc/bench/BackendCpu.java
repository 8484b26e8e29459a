package io.bemi.jdbc.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The CPU time of a connection's server backend, from {@code /proc/<pid>/schedstat}: Linux, with
 * the server on this machine (the benchmarks' embedded one). CPU time says on which side of the
 * socket a cost lies, and moves far less than TPS when other processes share the machine.
 */
final class BackendCpu {

  private final Path schedstat;

  private BackendCpu(Path schedstat) {
    this.schedstat = schedstat;
  }

  static BackendCpu of(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return new BackendCpu(Path.of("/proc", Integer.toString(rs.getInt(1)), "schedstat"));
    }
  }

  /** Time the backend has spent on a CPU, in nanoseconds (the first field of schedstat). */
  long nanos() throws IOException {
    String line = Files.readString(schedstat);
    return Long.parseLong(line.substring(0, line.indexOf(' ')));
  }

  /** The machine's load averages over 1, 5 and 15 minutes, as {@code /proc/loadavg} gives them. */
  static String loadAverage() throws IOException {
    String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
    return fields[0] + " " + fields[1] + " " + fields[2];
  }
}
