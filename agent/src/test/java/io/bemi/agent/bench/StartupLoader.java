package io.bemi.agent.bench;

/**
 * The child of {@link StartupBench}: loads and initialises the generated classes and the entry
 * classes of the libraries an agent cares about (pgjdbc, the servlet API, Javalin), then exits.
 */
public final class StartupLoader {

  static String className(int index) {
    return "generated.p" + (index % 97) + ".C" + index;
  }

  public static void main(String[] args) throws Exception {
    int classes = Integer.parseInt(args[0]);
    ClassLoader loader = StartupLoader.class.getClassLoader();
    for (String library : new String[] {"org.postgresql.Driver", "org.postgresql.ds.PGSimpleDataSource",
        "com.zaxxer.hikari.HikariDataSource", "jakarta.servlet.http.HttpServlet", "io.javalin.Javalin",
        "io.javalin.http.servlet.JavalinServletContext", "org.eclipse.jetty.server.Server"}) {
      Class.forName(library, true, loader);
    }
    long sum = 0;
    for (int i = 0; i < classes; i++) {
      sum += Class.forName(className(i), true, loader).getName().length();
    }
    System.out.println(sum);
    // CPU time of the whole process so far (start-up included): steadier than wall time on a busy machine
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    System.out.println("CPU_MS " + os.getProcessCpuTime() / 1_000_000);
  }
}
