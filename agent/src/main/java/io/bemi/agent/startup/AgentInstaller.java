package io.bemi.agent.startup;

import io.bemi.agent.core.AgentLog;
import io.bemi.agent.core.AgentOptions;
import io.bemi.agent.hooks.BemiHooks;
import io.bemi.agent.http.RequestCapture;
import io.bemi.agent.instrumentation.BemiTransformer;
import io.bemi.agent.jdbc.ConnectionWrapping;
import io.bemi.agent.jobs.JobContext;
import java.lang.instrument.Instrumentation;

/** Called by the launcher inside the agent's own class loader: reads the options, fills the hooks, instruments. */
public final class AgentInstaller {

  private AgentInstaller() {}

  public static void install(String agentArgument, Instrumentation instrumentation) {
    AgentOptions options = AgentOptions.parse(agentArgument, System.getenv());
    AgentLog.threshold(options.logLevel());
    if (!options.enabled()) {
      AgentLog.log(System.Logger.Level.DEBUG, "bemi-agent: disabled by option enabled=false");
      return;
    }
    boolean requests = options.records(AgentOptions.METHOD) || options.records(AgentOptions.ENDPOINT)
        || options.records(AgentOptions.USER) || options.records(AgentOptions.REQUEST_ID) || options.records(AgentOptions.TRACE_ID);
    boolean jobs = options.records(AgentOptions.THREAD) || options.records(AgentOptions.MAIN_CLASS);

    // Instrument first: bemi-driver's classes, which the hooks below use, must load after the transformer is in place.
    BemiTransformer.install(instrumentation, options.wrapConnections(), requests, jobs);
    BemiHooks.failures = new BemiHooks.FailureHook() {
      @Override
      public void failed(String what, Throwable failure) {
        AgentLog.failedOnce(what, failure);
      }
    };
    BemiHooks.connections = new ConnectionWrapping(options.driverProperties(), options.faultInjection());
    if (requests) {
      BemiHooks.requests = new RequestCapture(options);
    }
    if (jobs) {
      BemiHooks.fallbackContext = new JobContext(options);
    }
    if (AgentLog.enabled(System.Logger.Level.DEBUG)) {
      AgentLog.log(System.Logger.Level.DEBUG, "bemi-agent: attached with " + options);
    }
  }
}
