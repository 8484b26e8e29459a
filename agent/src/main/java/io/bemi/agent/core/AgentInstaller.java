package io.bemi.agent.core;

import io.bemi.agent.hooks.BemiHooks;
import io.bemi.agent.http.RequestCapture;
import io.bemi.agent.instrumentation.Instrumentations;
import io.bemi.agent.jdbc.ConnectionWrapping;
import io.bemi.agent.jobs.JobContext;
import java.lang.instrument.Instrumentation;
import java.util.Set;

/** Called by the launcher inside the agent's own class loader: reads the options, fills the hooks, instruments. */
public final class AgentInstaller {

  private AgentInstaller() {}

  public static void install(String agentArgument, Instrumentation instrumentation, boolean lateAttach) {
    AgentOptions options = AgentOptions.parse(agentArgument, System.getenv());
    AgentLog.threshold(options.logLevel());
    if (!options.enabled()) {
      AgentLog.log(System.Logger.Level.INFO, "bemi-agent: disabled by option enabled=false");
      return;
    }
    boolean requests = options.fields().stream().anyMatch(Set.of(
        AgentOptions.METHOD, AgentOptions.ENDPOINT, AgentOptions.USER, AgentOptions.REQUEST_ID, AgentOptions.TRACE_ID)::contains);
    boolean jobs = options.records(AgentOptions.THREAD) || options.records(AgentOptions.MAIN_CLASS);

    // Instrument first: creating the hooks below must not load io.bemi.Bemi before its advice is in place.
    Instrumentations.install(instrumentation, new Instrumentations.Parts(options.wrapConnections(), requests, jobs), lateAttach);
    BemiHooks.connections = new ConnectionWrapping(options.driverProperties(), options.faultInjection());
    if (requests) {
      BemiHooks.requests = new RequestCapture(options);
    }
    if (jobs) {
      BemiHooks.fallbackContext = new JobContext(options);
    }
    AgentLog.log(System.Logger.Level.DEBUG, "bemi-agent: attached with " + options);
  }
}
