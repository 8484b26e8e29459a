package io.bemi.ingester.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU seconds (user + system) spent by the processes of a benchmark phase, read from
 * {@code /proc/<pid>/stat}: this JVM, the children it has waited for (pg_recvlogical), and every
 * PostgreSQL process of the servers, sampled every 200 ms and labelled by backend type and
 * application name (so the ingester's destination backend, its walsender and pg_recvlogical's
 * walsender are told apart). An autovacuum worker is labelled by what it is doing (its
 * {@code VACUUM}/{@code ANALYZE} of one table), and each sample's CPU goes to the label the process
 * had then, so a worker that moves on to another table splits its time between them. On a shared
 * machine CPU time compares where wall time does not. A process loses the CPU it spent before its
 * first sample and after its last one (a short-lived autovacuum worker: up to 200 ms each).
 */
final class ProcessCpu implements AutoCloseable {

  /** USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 on Linux). */
  private static final double TICKS_PER_SECOND = 100.0;
  /**
   * Fields of /proc/pid/stat counted from 0 after the command name (which may contain spaces, so
   * they are counted from its closing parenthesis): utime, then stime; cutime, then cstime (the
   * CPU of children that have exited and been waited for).
   */
  private static final int UTIME = 11;
  private static final int CUTIME = 13;
  /** The report's group of this JVM's CPU, all threads. */
  static final String JVM = "JVM, all threads";
  /** The report's group of the CPU of this JVM's children that exited and were waited for. */
  static final String CHILDREN = "pg_recvlogical process";
  private static final String JVM_THREAD = "JVM thread ";

  /** A server sampled: a connection of its own (whose backend is left out) and the prefix of its labels. */
  private record Server(Connection connection, int ownBackend, String prefix) {}

  private final List<Server> servers = new ArrayList<>();
  /** Each server process's CPU seconds at its latest sample. */
  private final Map<Integer, Double> last = new HashMap<>();
  /** CPU seconds of the server processes since the start, by label. */
  private final Map<String, Double> serverSeconds = new TreeMap<>();
  /** How often each process was seen in each state and wait event, by label and process id. */
  private final Map<String, Map<Integer, Map<String, Integer>>> serverStates = new TreeMap<>();
  private final double jvmStart;
  private final Map<Long, Double> threadsStart = threadSeconds();
  private Map<Long, Double> threadsEnd;
  private final Map<Long, String> threadNames = new HashMap<>();
  private final double childrenStart;
  private double jvmEnd;
  private double childrenEnd;
  private final Thread sampler;
  private volatile boolean running = true;

  private ProcessCpu(List<BenchPostgres> sampled) throws Exception {
    for (BenchPostgres pg : sampled) {
      Connection connection = pg.connect();
      try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        servers.add(new Server(connection, rs.getInt(1), label(pg, sampled.size(), "")));
      }
    }
    sample();
    this.jvmStart = jvmSeconds();
    this.childrenStart = childrenSeconds();
    this.sampler = new Thread(this::sampleUntilClosed, "bench-cpu");
    sampler.setDaemon(true);
    sampler.start();
  }

  /**
   * Starts sampling the servers' processes (and this JVM) now. With several servers each process's
   * label starts with its server's database name ({@link #label}).
   */
  static ProcessCpu start(BenchPostgres... servers) throws Exception {
    return new ProcessCpu(List.of(servers));
  }

  /** The label of a process group of {@code server} in a report of {@code servers} servers. */
  static String label(BenchPostgres server, int servers, String group) {
    return (servers > 1 ? server.database + ": " : "") + group;
  }

  /**
   * Stops sampling; returns the CPU seconds per process group since the start: the servers'
   * processes by label, {@link #JVM}, the children this JVM has waited for, and each of its
   * threads (by name, prefixed {@code JVM thread}; a thread's CPU is also part of {@link #JVM}).
   */
  Map<String, Double> groups() throws Exception {
    close();
    Map<String, Double> groups = new TreeMap<>(serverSeconds);
    groups.put(JVM, jvmEnd - jvmStart);
    groups.put(CHILDREN, childrenEnd - childrenStart);
    threadsEnd.forEach((id, seconds) -> groups.merge(JVM_THREAD + threadNames.get(id),
        seconds - threadsStart.getOrDefault(id, 0.0), Double::sum));
    return groups;
  }

  /**
   * Stops sampling; returns how many samples saw the busiest process of a label (the one least
   * often idle: of the ingester's connections, the one storing) in each state and wait event
   * ({@code active on CPU}, {@code idle Client:ClientRead}, {@code active Lock:transactionid} …).
   */
  Map<String, Integer> busiestStates(String label) throws Exception {
    close();
    return serverStates.getOrDefault(label, Map.of()).values().stream()
        .max(Comparator.comparingInt(states -> states.entrySet().stream()
            .filter(e -> !e.getKey().startsWith("idle ")).mapToInt(Map.Entry::getValue).sum()))
        .orElse(Map.of());
  }

  /**
   * Stops sampling and prints CPU seconds per process group, in total and per 100,000 changes;
   * returns the seconds per group ({@link #groups()}).
   */
  Map<String, Double> report(String phase, long changes, double wallSeconds) throws Exception {
    Map<String, Double> groups = groups();
    System.out.printf("CPU of %s: %,d changes in %.1f s wall, load average %s%n", phase, changes, wallSeconds,
        loadAverage());
    double total = 0;
    for (Map.Entry<String, Double> group : groups.entrySet()) {
      if (group.getValue() >= 0.05) {
        if (!isThread(group.getKey())) {
          total += group.getValue();
        }
        System.out.printf("  %-56s %7.1f s  %6.2f s/100k%n", group.getKey(), group.getValue(),
            group.getValue() * 100_000 / changes);
      }
    }
    System.out.printf("  %-56s %7.1f s  %6.2f s/100k%n", "total", total, total * 100_000 / changes);
    return groups;
  }

  /** Whether a group of {@link #groups()} is one of this JVM's threads (whose CPU the JVM's group holds). */
  static boolean isThread(String group) {
    return group.startsWith(JVM_THREAD);
  }

  /** CPU seconds (user + system) a running process has spent. */
  static double seconds(long pid) throws IOException {
    Double seconds = runningSeconds(pid);
    if (seconds == null) {
      throw new IllegalStateException("No process " + pid);
    }
    return seconds;
  }

  /** CPU seconds (user + system) a process has spent, or null once it has exited and been waited for. */
  static Double runningSeconds(long pid) throws IOException {
    return cpuSeconds(pid, UTIME);
  }

  static String loadAverage() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).strip();
  }

  @Override
  public void close() throws Exception {
    if (running) {
      running = false;
      sampler.join();
      sample();
      jvmEnd = jvmSeconds();
      childrenEnd = childrenSeconds();
      threadsEnd = threadSeconds();
      for (ThreadInfo thread : ManagementFactory.getThreadMXBean().getThreadInfo(
          threadsEnd.keySet().stream().mapToLong(Long::longValue).toArray())) {
        if (thread != null) { // a thread's name without its number: pools are one line
          threadNames.put(thread.getThreadId(), thread.getThreadName().replaceAll("[-#]?\\d+$", ""));
        }
      }
      for (Server server : servers) {
        server.connection().close();
      }
    }
  }

  private void sampleUntilClosed() {
    try {
      while (running) {
        Thread.sleep(200);
        sample();
      }
    } catch (Exception e) {
      throw new IllegalStateException("Sampling CPU failed", e);
    }
  }

  private synchronized void sample() throws Exception {
    for (Server server : servers) {
      try (Statement s = server.connection().createStatement();
           ResultSet rs = s.executeQuery("SELECT pid, backend_type, application_name, "
               + "CASE WHEN backend_type = 'autovacuum worker' THEN regexp_replace(query, '^autovacuum: ', '') END, "
               + "concat_ws(' ', state, coalesce(wait_event_type || ':' || wait_event, 'on CPU')) "
               + "FROM pg_stat_activity")) {
        while (rs.next()) {
          int pid = rs.getInt(1);
          if (pid == server.ownBackend()) {
            continue;
          }
          Double seconds = cpuSeconds(pid, UTIME);
          if (seconds == null) {
            continue;
          }
          // the current label: a backend still starting up shows no application_name yet
          String label = server.prefix() + rs.getString(2)
              + (rs.getString(4) != null && !rs.getString(4).isEmpty() ? ": " + rs.getString(4)
                  : rs.getString(3).isEmpty() ? "" : " (" + rs.getString(3) + ")");
          serverStates.computeIfAbsent(label, l -> new HashMap<>()).computeIfAbsent(pid, p -> new TreeMap<>())
              .merge(rs.getString(5), 1, Integer::sum);
          Double previous = last.put(pid, seconds);
          if (previous != null) {
            serverSeconds.merge(label, seconds - previous, Double::sum);
          }
        }
      }
    }
  }

  /** CPU seconds of each live thread of this JVM, by thread id. */
  private static Map<Long, Double> threadSeconds() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Double> seconds = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      long nanos = threads.getThreadCpuTime(id);
      if (nanos >= 0) {
        seconds.put(id, nanos / 1e9);
      }
    }
    return seconds;
  }

  private static double jvmSeconds() throws IOException {
    return seconds(ProcessHandle.current().pid());
  }

  /** CPU of this process's children that have exited and been waited for (cutime + cstime). */
  private static double childrenSeconds() throws IOException {
    return cpuSeconds(ProcessHandle.current().pid(), CUTIME);
  }

  /**
   * The sum of a field of /proc/pid/stat and the next one ({@link #UTIME} or {@link #CUTIME}) in
   * seconds; null when the process is gone.
   */
  private static Double cpuSeconds(long pid, int field) throws IOException {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    } catch (NoSuchFileException e) {
      return null;
    }
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[field]) + Long.parseLong(fields[field + 1])) / TICKS_PER_SECOND;
  }
}
