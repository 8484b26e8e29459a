package io.bemi.agent;

import java.lang.instrument.Instrumentation;

/** Entry point of {@code -javaagent:bemi-agent.jar}. Not built yet: attaching it changes nothing. */
public final class BemiAgent {

  private BemiAgent() {}

  public static void premain(String arguments, Instrumentation instrumentation) {
    System.getLogger(BemiAgent.class.getName()).log(System.Logger.Level.WARNING, "bemi-agent is not implemented yet");
  }
}
