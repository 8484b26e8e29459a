package io.bemi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What an application can load once the agent is attached: the context API, nothing of the agent's machinery. */
class ClassVisibilityIT {

  @Test
  void theApplicationSeesTheContextApiButNotByteBuddyOrTheAgentsInternals() throws Exception {
    try (ChildJvm probe = ChildJvm.start(ChildJvm.Launch.withAgent(""), "com.example.jobs.ClassProbe",
        "io.bemi.Bemi", "io.bemi.jdbc.BemiJdbc",
        "io.bemi.agent.shaded.bytebuddy.ByteBuddy", "net.bytebuddy.ByteBuddy",
        "io.bemi.agent.startup.AgentInstaller", "io.bemi.agent.instrumentation.Instrumentations")) {
      assertThat(probe.awaitExit(Duration.ofSeconds(60))).isZero();
      assertThat(probe.output().lines()).containsExactly(
          "io.bemi.Bemi=true",
          "io.bemi.jdbc.BemiJdbc=true",
          "io.bemi.agent.shaded.bytebuddy.ByteBuddy=false",
          "net.bytebuddy.ByteBuddy=false",
          "io.bemi.agent.startup.AgentInstaller=false",
          "io.bemi.agent.instrumentation.Instrumentations=false");
    }
  }

  @Test
  void withoutTheAgentTheApplicationSeesNoBemiClassAtAll() throws Exception {
    try (ChildJvm probe = ChildJvm.start(ChildJvm.Launch.withoutAgent(), "com.example.jobs.ClassProbe", "io.bemi.Bemi")) {
      assertThat(probe.awaitExit(Duration.ofSeconds(60))).isZero();
      assertThat(probe.output().lines()).containsExactly("io.bemi.Bemi=false");
    }
  }

  @Test
  void aBadAgentOptionIsReportedAndTheApplicationRunsWithoutTheAgent() throws Exception {
    try (ChildJvm probe = ChildJvm.start(ChildJvm.Launch.withAgent("nosuchoption=1"), "com.example.jobs.ClassProbe", "java.lang.String")) {
      assertThat(probe.awaitExit(Duration.ofSeconds(60))).isZero();
      assertThat(probe.output()).contains("bemi-agent: not started", "Unknown agent option 'nosuchoption'", "java.lang.String=true");
    }
  }
}
